Feature: Idempotent leases
  Networks fail, and a client that did not hear the answer sends the same request again with
  the same lease id. A repeated reservation must neither take capacity twice nor pretend to hold
  capacity that is gone; a repeated completion changes nothing.

  Background:
    Given a rolling limit "tokens" with capacity 100 and window 60 seconds

  Scenario: Repeating a live reservation answers as before and takes nothing more
    Given I reserve amount 30 for lease "I1"
    When I reserve amount 30 for lease "I1"
    Then the reserve for lease "I1" is allowed
    And the repeat for lease "I1" carries the original reservation time
    And the limit "tokens" has 30 reserved and 70 available

  Scenario: The same requirements in another order are the same reservation
    Given a concurrency limit "in-flight" with capacity 2 and timeout 60 seconds
    And I reserve for lease "I1":
      | limit     | amount |
      | tokens    | 30     |
      | in-flight | 1      |
    When I reserve for lease "I1":
      | limit     | amount |
      | in-flight | 1      |
      | tokens    | 30     |
    Then the reserve for lease "I1" is allowed
    And the repeat for lease "I1" carries the original reservation time
    And the limit "tokens" has 30 reserved and 70 available
    And the limit "in-flight" has 1 reserved and 1 available

  Scenario: Reusing a live lease id for different requirements is refused
    Given I reserve amount 30 for lease "I1"
    When I reserve amount 31 for lease "I1"
    Then the reserve for lease "I1" is denied with error "invalid_request"
    And the limit "tokens" has 30 reserved and 70 available

  Scenario: Repeating a reservation after its lease was completed says the lease has expired
    Given I reserve amount 30 for lease "I1"
    And I complete lease "I1" with actual amount 30
    When I reserve amount 30 for lease "I1"
    Then the reserve for lease "I1" is denied with error "lease_expired:I1"
    And the limit "tokens" has 30 reserved and 70 available

  Scenario: Repeating a reservation after its holds expired says the lease has expired
    Given a rolling limit "short-tokens" with capacity 10 and window 1 second
    And I reserve amount 10 of "short-tokens" for lease "I1"
    And the limit "short-tokens" has 10 available again within 3 seconds, but not before 1 second after lease "I1" was reserved
    When I reserve amount 10 of "short-tokens" for lease "I1"
    Then the reserve for lease "I1" is denied with error "lease_expired:I1"
    And the limit "short-tokens" has 0 reserved and 10 available

  Scenario: A denied lease stays denied, even once there is room
    Given I reserve amount 100 for lease "I1"
    And I reserve amount 10 for lease "I2"
    And I complete lease "I1" with actual amount 0
    When I reserve amount 10 for lease "I2"
    Then the reserve for lease "I2" is denied
    And the limit "tokens" has 0 reserved and 100 available
    When I reserve amount 10 for lease "I3"
    Then the reserve for lease "I3" is allowed

  Scenario: Completing a lease twice changes nothing the second time
    Given I reserve amount 60 for lease "I1"
    And I complete lease "I1" with actual amount 20
    When I complete lease "I1" with actual amount 0
    Then the complete of lease "I1" is accepted
    And the limit "tokens" has 20 reserved and 80 available
    When I complete lease "I1" with actual amount 90
    Then the complete of lease "I1" is accepted
    And the limit "tokens" has 20 reserved and 80 available
    And the limit "tokens" has no debt

  Scenario: Completing a lease the limiter never saw is accepted and changes nothing
    Given I reserve amount 60 for lease "I1"
    When I complete lease "NEVER-RESERVED" with actual amount 10
    Then the complete of lease "NEVER-RESERVED" is accepted
    And the limit "tokens" has 60 reserved and 40 available
