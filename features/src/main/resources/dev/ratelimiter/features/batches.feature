Feature: Batches of reservations and completions
  A busy client sends many reservations or completions in one batch. The batch answers one
  result per item, in the order the items were sent, as if each had been sent alone in that
  order. One malformed item is refused in its own slot while the others are still processed;
  only a batch that cannot be read as a batch at all is refused as a whole.

  Background:
    Given a rolling limit "requests" with capacity 2 and window 60 seconds

  Scenario: Items are admitted in the order they were sent
    When I send a batch reserve of:
      | lease | limit    | amount |
      | B1    | requests | 1      |
      | B2    | requests | 1      |
      | B3    | requests | 1      |
    Then the batch has 3 results
    And batch result 1 is allowed
    And batch result 2 is allowed
    And batch result 3 is denied for lack of capacity, with a hint to retry later
    And the limit "requests" has 2 reserved and 0 available

  Scenario: A malformed item is refused in its own slot and the others are processed
    When I send a batch reserve of:
      | lease     | limit    | amount |
      | B1        | requests | 1      |
      | bad:lease | requests | 1      |
      | B3        | requests | 0      |
      | B4        | requests | 1      |
    Then the batch has 4 results
    And batch result 1 is allowed
    And batch result 2 is refused as invalid
    And batch result 3 is refused as invalid
    And batch result 4 is allowed
    And the limit "requests" has 2 reserved and 0 available

  Scenario: Each item of a batch gets its own outcome
    When I send a batch reserve of:
      | lease | limit    | amount |
      | B1    | requests | 3      |
      | B2    | no-such  | 1      |
      | B3    | requests | 2      |
    Then batch result 1 is denied with error "exceeds_capacity:requests"
    And batch result 2 is denied with error "unknown_limit_key:no-such"
    And batch result 3 is allowed

  Scenario: A batch of completions answers each item in order
    Given I reserve amount 2 for lease "B1"
    When I send a batch complete of:
      | lease     | limit    | actual |
      | B1        | requests | 1      |
      | bad:lease | requests | 1      |
      | NEVER     |          |        |
    Then the batch has 3 results
    And batch result 1 is accepted
    And batch result 2 is refused as invalid
    And batch result 3 is accepted
    And the limit "requests" has 1 reserved and 1 available

  Scenario: A batch with no list of items is refused as a whole
    When a client sends a batch reserve without a list of requests
    Then the request is refused as invalid, naming "requests"

  Scenario: An empty batch is refused as a whole
    When a client sends a batch reserve with 0 requests
    Then the request is refused as invalid, naming "requests"

  Scenario: A batch larger than allowed is refused as a whole
    When a client sends a batch reserve with 257 requests
    Then the request is refused as invalid, naming "requests"
    And the limit "requests" has 0 reserved and 2 available

  Scenario: The largest batch allowed is processed
    When a client sends a batch reserve with 256 requests
    Then the batch has 256 results
    And the limit "requests" has 2 reserved and 0 available

  Scenario: A batch that is not a readable document is refused as a whole
    When a client sends a batch reserve that is not a readable document
    Then the request is refused as invalid
