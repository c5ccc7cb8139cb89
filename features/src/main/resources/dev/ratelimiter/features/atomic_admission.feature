Feature: Atomic admission over several limits
  One lease usually needs several limits at once: requests per minute, tokens per minute, calls
  in flight, and the tenant's daily tokens. The whole request is checked before anything is
  taken: when any limit is unknown, decreasing or full, the lease is denied and holds nothing.

  Background:
    Given a rolling limit "requests" with capacity 10 and window 60 seconds
    And a rolling limit "tokens" with capacity 1000 and window 60 seconds
    And a concurrency limit "in-flight" with capacity 2 and timeout 60 seconds

  Scenario: A lease that fits every limit holds all of them
    When I reserve for lease "A1":
      | limit     | amount |
      | requests  | 1      |
      | tokens    | 300    |
      | in-flight | 1      |
    Then the reserve for lease "A1" is allowed
    And the limit "requests" has 1 reserved and 9 available
    And the limit "tokens" has 300 reserved and 700 available
    And the limit "in-flight" has 1 reserved and 1 available

  Scenario: One full limit denies the whole lease and nothing is held
    Given I reserve amount 2 of "in-flight" for lease "A1"
    When I reserve for lease "A2":
      | limit     | amount |
      | requests  | 1      |
      | tokens    | 300    |
      | in-flight | 1      |
    Then the reserve for lease "A2" is denied for lack of capacity, with a hint to retry later
    And the limit "requests" has 0 reserved and 10 available
    And the limit "tokens" has 0 reserved and 1000 available

  Scenario: An unknown limit denies the whole lease and says which one
    When I reserve for lease "A1":
      | limit   | amount |
      | tokens  | 300    |
      | no-such | 1      |
    Then the reserve for lease "A1" is denied with error "unknown_limit_key:no-such"
    And the limit "tokens" has 0 reserved and 1000 available

  Scenario: A limit that can never fit the amount denies the whole lease without a retry hint
    When I reserve for lease "A1":
      | limit    | amount |
      | requests | 1      |
      | tokens   | 1001   |
    Then the reserve for lease "A1" is denied with error "exceeds_capacity:tokens" and no retry hint
    And the limit "requests" has 0 reserved and 10 available

  Scenario: A decreasing limit denies the whole lease
    Given I reserve amount 500 of "tokens" for lease "A1"
    And the admin sets the capacity of "tokens" to 200
    When I reserve for lease "A2":
      | limit    | amount |
      | requests | 1      |
      | tokens   | 1      |
    Then the reserve for lease "A2" is denied with error "limit_decreasing:tokens" and a retry hint
    And the limit "requests" has 0 reserved and 10 available
