Feature: Refusing malformed requests
  A request that breaks the contract's rules is refused as a whole, before anything is taken,
  and the explanation names the field that is wrong. Values are never coerced: a fraction, a
  number written as text, a missing value or one too large for 64 bits is refused, not guessed.
  Lease ids use only letters, digits, "_" and "-" (never a colon). Values in the tables below
  are written as the client sends them: quotes around text, bare numbers, and "absent" for a
  field left out.

  Background:
    Given a rolling limit "tokens" with capacity 100 and window 60 seconds

  Scenario Outline: A reservation with <flaw> is refused, naming the field
    When a client sends a reservation whose <part> is <value>
    Then the request is refused as invalid, naming "<named>"
    And the limit "tokens" has 0 reserved and 100 available

    Examples:
      | flaw                              | part         | value               | named        |
      | no lease id                       | lease id     | absent              | lease_id     |
      | an empty lease id                 | lease id     | ""                  | lease_id     |
      | a colon in the lease id           | lease id     | "lease:1"           | lease_id     |
      | a space in the lease id           | lease id     | "lease 1"           | lease_id     |
      | a lease id of 65 characters       | lease id     | 65 characters       | lease_id     |
      | a lease id that is a number       | lease id     | 42                  | lease_id     |
      | a job id of 129 characters        | job id       | 129 characters      | job_id       |
      | a control character in the job id | job id       | "job\u0007"         | job_id       |
      | an empty limit key                | key          | ""                  | key          |
      | a space in the limit key          | key          | "tokens per minute" | key          |
      | a limit key of 257 characters     | key          | 257 characters      | key          |
      | a letter beyond ASCII in the key  | key          | "tökens"            | key          |
      | an amount of zero                 | amount       | 0                   | amount       |
      | a negative amount                 | amount       | -5                  | amount       |
      | a fractional amount               | amount       | 1.5                 | amount       |
      | an amount written as text         | amount       | "5"                 | amount       |
      | an empty amount                   | amount       | null                | amount       |
      | no amount                         | amount       | absent              | amount       |
      | an amount beyond 64 bits          | amount       | 9223372036854775808 | amount       |
      | no requirements                   | requirements | []                  | requirements |
      | no list of requirements           | requirements | absent              | requirements |

  Scenario Outline: A completion with <flaw> is refused, naming the field
    Given I reserve amount 10 for lease "V1"
    When a client completes lease "V1" with a completion whose <part> is <value>
    Then the request is refused as invalid, naming "<named>"
    And the limit "tokens" has 10 reserved and 90 available

    Examples:
      | flaw                             | part          | value     | named         |
      | a colon in the lease id          | lease id      | "lease:1" | lease_id      |
      | no lease id                      | lease id      | absent    | lease_id      |
      | a negative actual amount         | actual amount | -1        | actual_amount |
      | a fractional actual amount       | actual amount | 2.5       | actual_amount |
      | an actual amount written as text | actual amount | "3"       | actual_amount |

  Scenario: A reservation naming the same limit twice is refused
    When I reserve for lease "V1":
      | limit  | amount |
      | tokens | 60     |
      | tokens | 60     |
    Then the request is refused as invalid, naming "key"
    And the limit "tokens" has 0 reserved and 100 available

  Scenario: A reservation may name up to 32 limits
    Given 32 rolling limits "many-1" to "many-32" with capacity 1 and window 60 seconds
    When I reserve amount 1 of each of "many-1" to "many-32" for lease "V1"
    Then the reserve for lease "V1" is allowed

  Scenario: A reservation naming more than 32 limits is refused
    Given 33 rolling limits "many-1" to "many-33" with capacity 1 and window 60 seconds
    When I reserve amount 1 of each of "many-1" to "many-33" for lease "V1"
    Then the request is refused as invalid, naming "requirements"
    And the limit "many-1" has 0 reserved and 1 available

  Scenario: A reservation with a field the contract does not know is refused
    When a client sends a reservation with an extra field "priority"
    Then the request is refused as invalid, naming "priority"

  Scenario: A reservation that is not a readable document is refused
    When a client sends a reservation that is not a readable document
    Then the request is refused as invalid

  Scenario: A reservation larger than one mebibyte is refused as too large
    When a client sends a reservation of 2 MiB
    Then the request is refused as too large

  Scenario Outline: A limit definition with <flaw> is refused, naming the field
    When the admin defines a <kind> limit "bad" whose <part> is <value>
    Then the request is refused as invalid, naming "<named>"
    And the admin finds no limit "bad"

    Examples:
      | flaw                              | kind        | part            | value               | named           |
      | an unknown kind                   | rolling     | kind            | "bucket"            | kind            |
      | a capacity of zero                | rolling     | capacity        | 0                   | capacity        |
      | a fractional capacity             | rolling     | capacity        | 1.5                 | capacity        |
      | no capacity                       | rolling     | capacity        | absent              | capacity        |
      | a capacity beyond 64 bits         | rolling     | capacity        | 9223372036854775808 | capacity        |
      | a rolling window of zero          | rolling     | window seconds  | 0                   | window_seconds  |
      | a window beyond 32 bits           | rolling     | window seconds  | 4294967296          | window_seconds  |
      | a rolling limit with a timeout    | rolling     | timeout seconds | 5                   | timeout_seconds |
      | a concurrency timeout of zero     | concurrency | timeout seconds | 0                   | timeout_seconds |
      | a concurrency limit with a window | concurrency | window seconds  | 5                   | window_seconds  |
      | an unknown overage rule           | rolling     | overage         | "forgive"           | overage         |
      | a unit of 65 characters           | rolling     | unit            | 65 characters       | unit            |
      | a description of 1025 characters  | rolling     | description     | 1025 characters     | description     |
      | a space in the key                | rolling     | key             | "bad key"           | key             |
      | an unknown field                  | rolling     | colour          | "blue"              | colour          |
