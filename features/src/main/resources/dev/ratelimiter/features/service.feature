Feature: The limiter as a service
  Clients and operators need to know whether the limiter is up, and a client that asks for
  something the limiter does not offer must get a clear answer rather than silence or a guess.

  Scenario: The limiter reports that it is healthy
    When an operator asks whether the limiter is healthy
    Then the limiter answers that it is healthy

  Scenario: Asking for an operation that does not exist is answered clearly
    When a client asks for an operation the limiter does not offer
    Then the client is told that no such operation exists

  Scenario: Reading from the reserve operation instead of sending to it is answered clearly
    When a client reads from the reserve operation instead of sending to it
    Then the client is told that this way of asking is not allowed, and that sending is

  Scenario: Denials, unknown limits and decreasing limits are answers, not refusals
    Given a rolling limit "tokens" with capacity 10 and window 60 seconds
    And I reserve amount 10 for lease "S1"
    When I reserve amount 1 for lease "S2"
    And I reserve amount 1 of "no-such" for lease "S3"
    And the admin decreases capacity for "tokens" to 5
    And I reserve amount 1 for lease "S4"
    Then the reserve for lease "S2" is denied for lack of capacity, with a hint to retry later
    And the reserve for lease "S3" is denied with error "unknown_limit_key:no-such"
    And the reserve for lease "S4" is denied with error "limit_decreasing:tokens" and a retry hint
