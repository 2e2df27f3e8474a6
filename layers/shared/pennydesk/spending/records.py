"""Spending table: one partition per user holds their profile, expenses, running totals and import markers.

| sk                              | item                                                              |
|---------------------------------|-------------------------------------------------------------------|
| PROFILE                         | the user's profile and budgets                                    |
| EXP#<expense id>                | an expense (LSI by_date: date_key = <YYYY-MM-DD>#<expense id>)    |
| TOTAL#<YYYY-MM>                 | running total for the month (all categories)                      |
| TOTAL#<YYYY-MM>#CAT#<category>  | running total for one category in the month                       |
| EXT#<external id>               | an imported row's bank reference: the same row never imports twice |
| FP#<date>#<amount>#<payee>      | how many expenses share this date, amount and payee (duplicates)  |
| RULE#<rule id>                  | a payee rule (id: digest of its normalised pattern, one per pattern) |
| RULES                           | how many payee rules the user has (the cap is kept in transactions) |
| SERIES#<series id>              | a recurring expense: its terms and the next occurrence not created  |

``pk=EMAIL#<email>, sk=USER`` maps a sign-in email to its user id.
"""

from __future__ import annotations

from pynamodb.attributes import (
    BooleanAttribute,
    ListAttribute,
    MapAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UnicodeSetAttribute,
)
from pynamodb.indexes import AllProjection, LocalSecondaryIndex

from pennydesk.platform.dynamo import KeyedModel, table_meta
from pennydesk.platform.settings import get_settings
from pennydesk.scheduling.records import DueIndex, TimerBase

PROFILE_SK = "PROFILE"


def user_pk(user_id: str) -> str:
    return f"USER#{user_id}"


EXPENSE_PREFIX = "EXP#"
EXTERNAL_ID_PREFIX = "EXT#"


def email_pk(email: str) -> str:
    """The item that maps a sign-in address to its user id (pk=EMAIL#<email>, sk=USER)."""
    return f"EMAIL#{email.lower()}"


def expense_sk(expense_id: str) -> str:
    return f"{EXPENSE_PREFIX}{expense_id}"


def external_id_sk(external_id: str) -> str:
    """The marker of a bank's own transaction id, imported once."""
    return f"{EXTERNAL_ID_PREFIX}{external_id}"


def fingerprint_sk(day: str, amount: int, normal_payee: str) -> str:
    """The marker counting expenses of one date, amount and (normalised) payee."""
    return f"FP#{day}#{amount}#{normal_payee}"


def raw_row_sk(day: str, digest: str) -> str:
    """The marker of a bank row as the bank wrote it (its cells' digest), whatever columns were mapped."""
    return f"RAW#{day}#{digest}"


RULE_PREFIX = "RULE#"
RULES_COUNT_SK = "RULES"
SERIES_PREFIX = "SERIES#"
SERIES_COUNT_SK = "SERIES"


def rule_sk(rule_id: str) -> str:
    return f"{RULE_PREFIX}{rule_id}"


def series_sk(series_id: str) -> str:
    return f"{SERIES_PREFIX}{series_id}"


def total_sk(month: str, category: str | None = None) -> str:
    return f"TOTAL#{month}" if category is None else f"TOTAL#{month}#CAT#{category}"


class UserEmail(KeyedModel):
    Meta = table_meta(get_settings().spending_table)

    user_id = UnicodeAttribute()


class Profile(KeyedModel):
    Meta = table_meta(get_settings().spending_table)

    user_id = UnicodeAttribute()
    email = UnicodeAttribute()
    currency = UnicodeAttribute(default="USD")
    monthly_limit = NumberAttribute(null=True)  # minor units
    category_limits = MapAttribute(default=dict)  # category -> minor units
    thresholds = ListAttribute(of=NumberAttribute, default=lambda: [80, 100])
    digest = UnicodeAttribute(default="monthly")
    budget_alerts = BooleanAttribute(null=True)  # None (accounts from before the flag) reads as on
    timezone = UnicodeAttribute(default="UTC")
    locale = UnicodeAttribute(null=True)  # "de-DE": how amounts, dates and months are written (None: the default)
    currency_chosen = BooleanAttribute(null=True)  # False: the currency still follows the locale (None: older)
    limit_months = MapAttribute(null=True)  # "YYYY-MM" -> the monthly limit set that month (0: none), see budget_months
    categories = ListAttribute(of=UnicodeAttribute, default=list)  # the user's own, beside the defaults
    category_names = MapAttribute(null=True)  # the user's own categories as they wrote them ("Kids' Café")
    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()
    version = NumberAttribute(default=0)


class ByDate(LocalSecondaryIndex["Expense"]):
    class Meta:
        index_name = "by_date"
        projection = AllProjection()

    pk = UnicodeAttribute(hash_key=True)
    date_key = UnicodeAttribute(range_key=True)


class Expense(KeyedModel):
    Meta = table_meta(get_settings().spending_table)

    expense_id = UnicodeAttribute()
    amount = NumberAttribute()  # minor units of the profile's currency
    category = UnicodeAttribute()
    date = UnicodeAttribute()  # YYYY-MM-DD, the day as the user sees it
    month = UnicodeAttribute()  # YYYY-MM
    date_key = UnicodeAttribute()
    payee = UnicodeAttribute(default="")
    note = UnicodeAttribute(default="")
    tags = ListAttribute(of=UnicodeAttribute, default=list)
    external_id = UnicodeAttribute(null=True)
    fingerprint = UnicodeAttribute()
    recurring_id = UnicodeAttribute(null=True)  # the series that created it, if one did
    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()
    version = NumberAttribute(default=0)
    by_date = ByDate()


class PayeeRule(KeyedModel):
    """"Payee contains <contains> -> <category>" (see payee_rules)."""

    Meta = table_meta(get_settings().spending_table)

    rule_id = UnicodeAttribute()
    contains = UnicodeAttribute()
    pattern = UnicodeAttribute()
    category = UnicodeAttribute()
    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()


class Series(KeyedModel):
    """A recurring expense (see recurrence): `next` is the first occurrence not created yet (None: ended)."""

    Meta = table_meta(get_settings().spending_table)

    series_id = UnicodeAttribute()
    amount = NumberAttribute()  # minor units
    category = UnicodeAttribute()
    payee = UnicodeAttribute(default="")
    note = UnicodeAttribute(default="")
    every = UnicodeAttribute()  # week | month | year
    start = UnicodeAttribute()  # YYYY-MM-DD: also the weekday / day of the month / day of the year
    end = UnicodeAttribute(null=True)
    next = UnicodeAttribute(null=True)
    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()
    version = NumberAttribute(default=0)


class Total(KeyedModel):
    """A running total, moved by ADD in the same transaction as every expense change."""

    Meta = table_meta(get_settings().spending_table)

    month = UnicodeAttribute(null=True)
    category = UnicodeAttribute(null=True)
    total = NumberAttribute(default=0)
    count = NumberAttribute(default=0)
    alerted = UnicodeSetAttribute(null=True)  # thresholds already announced this month, e.g. {"80"}


class Marker(KeyedModel):
    """EXT# and FP# items used to recognise rows already imported or entered, and the RULES and SERIES counters
    that hold their caps."""

    Meta = table_meta(get_settings().spending_table)

    expense_id = UnicodeAttribute(null=True)
    count = NumberAttribute(default=0)


class SpendingTimer(TimerBase):
    Meta = table_meta(get_settings().spending_table)
    series_id = UnicodeAttribute(null=True)  # recurring timers: which series
    due = DueIndex()
