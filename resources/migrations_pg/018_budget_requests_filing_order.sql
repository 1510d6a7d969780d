-- PostgreSQL twin of resources/migrations/018_budget_requests_filing_order.sql: the order
-- budget requests were filed in. Rows already there are numbered by creation time, then by
-- their physical order (the best record of insertion order PostgreSQL kept).
ALTER TABLE budget_requests ADD COLUMN filing_order BIGINT;
UPDATE budget_requests b SET filing_order = n.k
  FROM (SELECT id, row_number() OVER (ORDER BY created_at, ctid) AS k FROM budget_requests) n
  WHERE b.id = n.id;
CREATE INDEX budget_requests_filing_order ON budget_requests(filing_order);
