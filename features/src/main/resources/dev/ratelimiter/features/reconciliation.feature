Feature: Reconciling actual usage
  A lease reserves an upper bound, for example the prompt plus the most tokens the model may
  write. When the call is done, the client reports what it really used and the limiter keeps
  only that: slack returns early, and usage above the reservation is taken if it fits, or else
  recorded as debt when the limit's overage is "debt" (and dropped when it is "deny"). Debt is
  kept for accounting; it never blocks admission.

  Scenario: Reporting less than was reserved frees the slack at once
    Given a rolling limit "tokens" with capacity 100 and window 60 seconds
    And I reserve amount 100 for lease "R1"
    When I complete lease "R1" with actual amount 30
    Then the limit "tokens" has 30 reserved and 70 available
    When I reserve amount 70 for lease "R2"
    Then the reserve for lease "R2" is allowed

  Scenario: Reporting no usage at all frees the whole reservation
    Given a rolling limit "tokens" with capacity 100 and window 60 seconds
    And I reserve amount 100 for lease "R1"
    When I complete lease "R1" with actual amount 0
    Then the limit "tokens" has 0 reserved and 100 available

  Scenario: The part that is kept still expires with the original reservation
    Given a rolling limit "tokens" with capacity 100 and window 2 seconds
    And I reserve amount 100 for lease "R1"
    When I complete lease "R1" with actual amount 40
    Then the limit "tokens" has 40 reserved and 60 available
    And the limit "tokens" has 100 available again within 4 seconds, but not before 2 seconds after lease "R1" was reserved

  Scenario: Usage above the reservation is taken when it fits
    Given a rolling limit "tokens" with capacity 100 and window 60 seconds
    And I reserve amount 40 for lease "R1"
    When I complete lease "R1" with actual amount 70
    Then the limit "tokens" has 70 reserved and 30 available
    And the limit "tokens" has no debt

  Scenario: Usage above the reservation that does not fit becomes debt, all of it
    Given a rolling limit "tokens" with capacity 100 and overage "debt"
    And I reserve amount 60 for lease "R1"
    And I reserve amount 30 for lease "R2"
    When I complete lease "R1" with actual amount 80
    Then the debt for "tokens" is 20
    And the limit "tokens" has 90 reserved and 10 available

  Scenario: Debt does not block admission
    Given a rolling limit "tokens" with capacity 100 and overage "debt"
    And I reserve amount 60 for lease "R1"
    And I complete lease "R1" with actual amount 150
    When I reserve amount 40 for lease "R2"
    Then the debt for "tokens" is 90
    And the reserve for lease "R2" is allowed

  Scenario: Under overage "deny" usage that does not fit is dropped
    Given a rolling limit "tokens" with capacity 100 and overage "deny"
    And I reserve amount 100 for lease "R1"
    When I complete lease "R1" with actual amount 150
    Then the complete of lease "R1" is accepted
    And the limit "tokens" has no debt
    And the limit "tokens" has 100 reserved and 0 available

  Scenario: Under overage "deny" usage above the reservation is still taken when it fits
    Given a rolling limit "tokens" with capacity 100 and overage "deny"
    And I reserve amount 40 for lease "R1"
    When I complete lease "R1" with actual amount 70
    Then the limit "tokens" has 70 reserved and 30 available
    And the limit "tokens" has no debt

  Scenario: Usage reported for limits the lease did not reserve, or for concurrency, is ignored
    Given a rolling limit "tokens" with capacity 100 and window 60 seconds
    And a rolling limit "other-tokens" with capacity 100 and window 60 seconds
    And a concurrency limit "in-flight" with capacity 2 and timeout 60 seconds
    And I reserve for lease "R1":
      | limit     | amount |
      | tokens    | 50     |
      | in-flight | 1      |
    When I complete lease "R1" with actual amounts:
      | limit        | actual |
      | tokens       | 20     |
      | in-flight    | 2      |
      | other-tokens | 70     |
    Then the limit "tokens" has 20 reserved and 80 available
    And the limit "in-flight" has 0 reserved and 2 available
    And the limit "other-tokens" has 0 reserved and 100 available
    And the limit "other-tokens" has no debt
