Feature: Concurrency limits
  A concurrency limit counts the calls in flight. An admitted amount is held until its lease is
  completed, or until the limit's timeout has passed, whichever comes first; an amount of 2
  takes two slots. Completing a lease releases every concurrency slot it holds at once.

  Scenario: An amount takes as many slots as it says
    Given a concurrency limit "in-flight" with capacity 3 and timeout 60 seconds
    When I reserve amount 2 for lease "C1"
    And I reserve amount 2 for lease "C2"
    And I reserve amount 1 for lease "C3"
    Then the reserve for lease "C1" is allowed
    And the reserve for lease "C2" is denied for lack of capacity, with a hint to retry later
    And the reserve for lease "C3" is allowed
    And the limit "in-flight" has 3 reserved and 0 available

  Scenario: Completing a lease releases all of its slots at once
    Given a concurrency limit "in-flight" with capacity 3 and timeout 60 seconds
    And a concurrency limit "tenant-in-flight" with capacity 5 and timeout 60 seconds
    And I reserve for lease "C1":
      | limit            | amount |
      | in-flight        | 2      |
      | tenant-in-flight | 4      |
    When I complete lease "C1"
    Then the limit "in-flight" has 0 reserved and 3 available
    And the limit "tenant-in-flight" has 0 reserved and 5 available

  Scenario: A slot whose lease never completes returns when the timeout has passed
    Given a concurrency limit "in-flight" with capacity 1 and timeout 1 second
    And I reserve amount 1 for lease "C1"
    And I reserve amount 1 for lease "C2"
    Then the reserve for lease "C2" is denied for lack of capacity, with a hint to retry later
    And the limit "in-flight" has 1 available again within 3 seconds, but not before 1 second after lease "C1" was reserved
    When I reserve amount 1 for lease "C3"
    Then the reserve for lease "C3" is allowed

  Scenario: Completing without a usage report still releases concurrency but keeps rolling holds
    Given a rolling limit "tokens" with capacity 100 and window 60 seconds
    And a concurrency limit "in-flight" with capacity 1 and timeout 60 seconds
    And I reserve for lease "C1":
      | limit     | amount |
      | tokens    | 40     |
      | in-flight | 1      |
    When I complete lease "C1"
    Then the limit "in-flight" has 0 reserved and 1 available
    And the limit "tokens" has 40 reserved and 60 available
