Feature: Rolling limits
  A rolling limit counts what was admitted during the last window: each admitted amount occupies
  capacity for the length of the window from the moment it was reserved, and then returns by
  itself. Within any window, the amounts admitted for a limit never add up to more than its
  capacity. A denial for lack of room tells the caller when it is worth trying again.

  Scenario: A reservation that fits is admitted and says when it was made
    Given a rolling limit "tokens" with capacity 10 and window 60 seconds
    When I reserve amount 4 for lease "R1"
    Then the reserve for lease "R1" is allowed
    And lease "R1" was reserved at the time it was asked for
    And the limit "tokens" has 4 reserved and 6 available

  Scenario: A reservation that does not fit now is denied with a hint to retry later
    Given a rolling limit "tokens" with capacity 10 and window 60 seconds
    And I reserve amount 8 for lease "R1"
    When I reserve amount 3 for lease "R2"
    Then the reserve for lease "R2" is denied for lack of capacity, with a hint to retry later
    And the limit "tokens" has 8 reserved and 2 available

  Scenario: A reservation that fits exactly the free capacity is admitted
    Given a rolling limit "tokens" with capacity 10 and window 60 seconds
    And I reserve amount 8 for lease "R1"
    When I reserve amount 2 for lease "R2"
    Then the reserve for lease "R2" is allowed
    And the limit "tokens" has 10 reserved and 0 available

  Scenario: Capacity returns by itself when the window has passed
    Given a rolling limit "tokens" with capacity 2 and window 1 second
    And I reserve amount 2 for lease "R1"
    And I reserve amount 1 for lease "R2"
    Then the reserve for lease "R2" is denied for lack of capacity, with a hint to retry later
    And the limit "tokens" has 2 available again within 3 seconds, but not before 1 second after lease "R1" was reserved
    When I reserve amount 2 for lease "R3"
    Then the reserve for lease "R3" is allowed

  Scenario: An amount larger than the capacity can never fit and is not worth retrying
    Given a rolling limit "tokens" with capacity 10 and window 60 seconds
    When I reserve amount 11 for lease "R1"
    Then the reserve for lease "R1" is denied with error "exceeds_capacity:tokens" and no retry hint
    And the limit "tokens" has 0 reserved and 10 available
