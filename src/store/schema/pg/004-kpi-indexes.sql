-- KPIs read events by date across all accounts: index the dates they filter on.
CREATE INDEX transactions_booked ON transactions (booked_on);
CREATE INDEX objectives_due ON objectives (due_on);
CREATE INDEX interactions_occurred ON interactions (occurred_at);
CREATE INDEX opportunities_closed ON opportunities (closed_on);
