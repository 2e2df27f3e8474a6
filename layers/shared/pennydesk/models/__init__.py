"""PynamoDB models. Table names come from settings, so one set of models serves AWS and the local stack.

Access patterns (kept in docs/data-model.md too):

| who                  | reads / writes                         | by which key                                   |
|----------------------|----------------------------------------|------------------------------------------------|
| intake (API)         | next ticket number                     | tickets: pk=COUNTER sk=TICKET_NUMBER (ADD 1)   |
| intake (API)         | put ticket                             | tickets: pk=TICKET#id sk=TICKET                |
| ticket stream        | least-loaded available agent for a cat | agents GSI available_by_category (cat, load)   |
| ticket stream        | agent profile (consistent)             | agents: pk=AGENT#id sk=PROFILE                 |
| ticket stream        | assign: agent + its slots + ticket     | one TransactWriteItems, conditions on all      |
| admin / seed         | agent by email                         | agents: pk=EMAIL#email sk=AGENT                |
"""
