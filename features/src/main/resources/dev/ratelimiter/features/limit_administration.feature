Feature: Administering limits
  Limits are defined and changed at runtime by an admin, and anyone can read them back with their
  current usage: how much is held now, how much is free, and how much debt was recorded. The
  admin's words are taken kindly where that is safe: the kind and the overage rule may be written
  in any case, surrounding spaces are trimmed, and the overage rule defaults to "debt".

  Scenario: A new limit reads back as defined, with its usage
    When the admin defines a limit with these fields:
      | key             | "gpt-tokens"                |
      | kind            | "rolling"                   |
      | capacity        | 90000                       |
      | window seconds  | 60                          |
      | timeout seconds | 0                           |
      | unit            | "tokens"                    |
      | description     | "Tokens per minute for GPT" |
      | overage         | "deny"                      |
    Then the admin is told the limit is active
    And the limit "gpt-tokens" reads back as:
      | kind                | rolling                   |
      | capacity            | 90000                     |
      | window seconds      | 60                        |
      | timeout seconds     | 0                         |
      | unit                | tokens                    |
      | description         | Tokens per minute for GPT |
      | overage             | deny                      |
      | status              | active                    |
      | pending decrease to | 0                         |
      | reserved            | 0                         |
      | available           | 90000                     |
      | debt                | 0                         |

  Scenario: Kind and overage are read in any case, spaces are trimmed, and overage defaults to debt
    When the admin defines a limit with these fields:
      | key             | "  spaced-key  " |
      | kind            | " Concurrency "  |
      | capacity        | 4                |
      | timeout seconds | 30               |
      | unit            | "  calls "       |
    Then the admin is told the limit is active
    And the limit "spaced-key" reads back as:
      | kind            | concurrency |
      | capacity        | 4           |
      | window seconds  | 0           |
      | timeout seconds | 30          |
      | unit            | calls       |
      | overage         | debt        |

  Scenario: The overage rule is read in any case
    When the admin defines a limit with these fields:
      | key            | "shouting" |
      | kind           | "ROLLING"  |
      | capacity       | 5          |
      | window seconds | 60         |
      | overage        | "DeNy"     |
    Then the limit "shouting" reads back as:
      | kind    | rolling |
      | overage | deny    |

  Scenario: The largest capacity, window and timeout the contract allows are accepted
    When the admin defines a limit with these fields:
      | key            | "huge-rolling"      |
      | kind           | "rolling"           |
      | capacity       | 9223372036854775807 |
      | window seconds | 4294967295          |
    Then the admin is told the limit is active
    And the limit "huge-rolling" reads back as:
      | capacity       | 9223372036854775807 |
      | window seconds | 4294967295          |
      | available      | 9223372036854775807 |
    When the admin defines a limit with these fields:
      | key             | "huge-concurrency" |
      | kind            | "concurrency"      |
      | capacity        | 1                  |
      | timeout seconds | 4294967295         |
    Then the limit "huge-concurrency" reads back as:
      | timeout seconds | 4294967295 |

  Scenario: The list of limits is sorted by key
    Given a rolling limit "zeta" with capacity 1 and window 60 seconds
    And a concurrency limit "alpha" with capacity 1 and timeout 60 seconds
    And a rolling limit "mu" with capacity 1 and window 60 seconds
    When anyone lists the limits
    Then the list shows "alpha", "mu" and "zeta" in that order

  Scenario: A limit that was never defined is not found
    Then the admin finds no limit "never-defined"

  Scenario: Defining a limit again with the same values changes nothing
    Given a rolling limit "tokens" with capacity 10 and window 60 seconds
    And I reserve amount 3 for lease "M1"
    When the admin defines a rolling limit "tokens" with capacity 10 and window 60 seconds
    Then the admin is told the limit is active
    And the limit "tokens" has 3 reserved and 7 available
