"""What the tests share, so that no test module imports another.

stack     the in-process stack and the subprocess one (`make dev`), the admin the seed sets up, `moment`
outbox    mail in the in-process outbox and the links it carries
records   what the tables, streams and queues hold, read straight from moto
helpdesk  a valid ticket; open one and take both emailed links; act as its agent; resolve; surveys
identity  sign in through the emailed link; a tampered token
actors    Customer, Agent, Admin and Spender, acting through the HTTP API as a person would
faults    AWS faults injected beneath the product's clients, and the checks a fault story ends with
live      the subprocess stack over real HTTP: its outbox, a ticket, a session (e2e and browser tests)
"""
