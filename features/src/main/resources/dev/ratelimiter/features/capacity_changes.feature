Feature: Changing a limit's capacity at runtime
  An admin may raise or lower a limit while traffic flows. More capacity is usable at once and
  cancels a pending decrease. Less capacity cannot take back what is already held, so the limit
  becomes "decreasing": it admits nothing new until enough is free to apply the lower value,
  which the server checks by itself, and then it is active again at the new capacity. Other
  fields change at once; holds already made keep their expiry. A limit never changes its kind.

  Scenario: An increase takes effect at once
    Given a rolling limit "tokens" with capacity 10 and window 60 seconds
    And I reserve amount 10 for lease "K1"
    When the admin increases the capacity of "tokens" to 15
    Then the admin is told the limit is active
    And the limit "tokens" is active with capacity 15
    When I reserve amount 5 for lease "K2"
    Then the reserve for lease "K2" is allowed

  Scenario: Setting the same capacity again changes nothing
    Given a rolling limit "tokens" with capacity 10 and window 60 seconds
    And I reserve amount 4 for lease "K1"
    When the admin sets the capacity of "tokens" to 10
    Then the admin is told the limit is active
    And the limit "tokens" has 4 reserved and 6 available

  Scenario: A decrease that does not fit yet makes the limit decreasing
    Given a rolling limit "tokens" with capacity 10 and window 60 seconds
    And I reserve amount 8 for lease "K1"
    When the admin decreases capacity for "tokens" to 5
    Then the admin is told the limit is decreasing
    And the limit "tokens" is decreasing to 5 and still has capacity 10
    And new reservations for "tokens" are denied with error "limit_decreasing:tokens"

  Scenario: A decrease that already fits is applied by the server shortly
    Given a rolling limit "tokens" with capacity 10 and window 60 seconds
    And I reserve amount 3 for lease "K1"
    When the admin decreases capacity for "tokens" to 4
    Then within 2 seconds the limit "tokens" is active with capacity 4
    And the limit "tokens" has 3 reserved and 1 available
    When I reserve amount 5 for lease "K2"
    Then the reserve for lease "K2" is denied with error "exceeds_capacity:tokens" and no retry hint

  Scenario: A decrease is applied once completions free enough capacity, and reservations resume
    Given a rolling limit "tokens" with capacity 10 and window 60 seconds
    And I reserve amount 8 for lease "K1"
    And the admin decreases capacity for "tokens" to 5
    When I complete lease "K1" with actual amount 2
    Then within 2 seconds the limit "tokens" is active with capacity 5
    And the limit "tokens" has 2 reserved and 3 available
    When I reserve amount 3 for lease "K2"
    Then the reserve for lease "K2" is allowed

  Scenario: A decrease is applied once holds expire, with no help from any client
    Given a rolling limit "tokens" with capacity 10 and window 1 second
    And I reserve amount 8 for lease "K1"
    When the admin decreases capacity for "tokens" to 5
    Then the admin is told the limit is decreasing
    And within 3 seconds the limit "tokens" is active with capacity 5
    And reservations are accepted again

  Scenario: A concurrency limit decrease is applied when its leases complete
    Given a concurrency limit "in-flight" with capacity 4 and timeout 60 seconds
    And I reserve amount 3 for lease "K1"
    And the admin decreases capacity for "in-flight" to 2
    And the limit "in-flight" is decreasing to 2 and still has capacity 4
    When I complete lease "K1"
    Then within 2 seconds the limit "in-flight" is active with capacity 2
    And reservations are accepted again

  Scenario: An increase cancels a pending decrease
    Given a rolling limit "tokens" with capacity 10 and window 60 seconds
    And I reserve amount 8 for lease "K1"
    And the admin decreases capacity for "tokens" to 5
    When the admin increases the capacity of "tokens" to 12
    Then the admin is told the limit is active
    And the limit "tokens" is active with capacity 12
    When I reserve amount 4 for lease "K2"
    Then the reserve for lease "K2" is allowed

  Scenario: A new window applies to new holds while existing holds keep their expiry
    Given a rolling limit "tokens" with capacity 10 and window 60 seconds
    And I reserve amount 2 for lease "K1"
    When the admin changes the window of "tokens" to 1 second
    Then the limit "tokens" reads back as:
      | kind           | rolling |
      | capacity       | 10      |
      | window seconds | 1       |
    When I reserve amount 1 for lease "K2"
    Then within 3 seconds the limit "tokens" has exactly 2 reserved

  Scenario: A new overage rule applies at once
    Given a rolling limit "tokens" with capacity 100 and overage "debt"
    When the admin changes the overage of "tokens" to "deny"
    And I reserve amount 100 for lease "K1"
    And I complete lease "K1" with actual amount 120
    Then the limit "tokens" has no debt

  Scenario: A limit cannot change its kind
    Given a rolling limit "tokens" with capacity 10 and window 60 seconds
    When the admin redefines "tokens" as a concurrency limit with capacity 10 and timeout 60 seconds
    Then the request is refused as invalid, naming "kind"
    And the limit "tokens" reads back as:
      | kind           | rolling |
      | window seconds | 60      |
