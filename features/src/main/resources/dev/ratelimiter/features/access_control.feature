Feature: Access control
  Changing a limit changes what every client may do, so the limiter never lets the first process on
  the network do it. When an admin token is configured, every admin request must carry it, from
  anywhere. When none is configured, only an admin on the limiter's own machine may change or read
  limits. A client token, when configured, guards reserving and completing the same way. A refusal
  says which setting is missing and never repeats a token.

  @needs_admin_token
  Scenario: Changing a limit needs the admin token
    When someone without the admin token defines a rolling limit "guarded" with capacity 5 and window 60 seconds
    Then the caller is refused as not authorised, told that "ratelimiter.admin.token" is needed
    And the admin finds no limit "guarded"

  @needs_admin_token
  Scenario: A wrong admin token changes nothing
    When someone with a wrong admin token defines a rolling limit "guarded" with capacity 5 and window 60 seconds
    Then the caller is refused as not authorised, told that "ratelimiter.admin.token" is needed
    And the admin finds no limit "guarded"

  @needs_admin_token
  Scenario: Reading a limit needs the admin token too
    Given a rolling limit "visible" with capacity 5 and window 60 seconds
    When someone without the admin token reads the limit "visible"
    Then the caller is refused as not authorised, told that "ratelimiter.admin.token" is needed

  @needs_admin_token
  Scenario: The admin with the token changes limits
    When the admin defines a rolling limit "tokened" with capacity 5 and window 60 seconds
    Then the admin is told the limit is active
    And the limit "tokened" has 0 reserved and 5 available

  @needs_api_token
  Scenario: Reserving needs the client token when one is configured
    Given a rolling limit "metered" with capacity 5 and window 60 seconds
    When a client without the client token reserves amount 1 of "metered" for lease "l1"
    Then the caller is refused as not authorised, told that "ratelimiter.api.token" is needed
    And the limit "metered" has 0 reserved and 5 available

  @needs_no_admin_token
  Scenario: Without an admin token, an admin on the limiter's own machine changes limits
    When the admin defines a rolling limit "local" with capacity 5 and window 60 seconds
    Then the admin is told the limit is active
    And the limit "local" has 0 reserved and 5 available

  @needs_no_admin_token @needs_other_machine
  Scenario: Without an admin token, nobody on another machine changes limits
    When an admin on another machine defines a rolling limit "remote" with capacity 5 and window 60 seconds
    Then the caller is refused as forbidden, told that setting "ratelimiter.admin.token" opens it
    And the admin finds no limit "remote"

  @needs_no_api_token @needs_other_machine
  Scenario: Without a client token, clients on other machines reserve as usual
    Given a rolling limit "shared" with capacity 5 and window 60 seconds
    When a client on another machine reserves amount 2 of "shared" for lease "l1"
    Then the reserve from the other machine is allowed
    And the limit "shared" has 2 reserved and 3 available
