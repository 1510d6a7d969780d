-- The order budget requests were filed in, for requests of one millisecond: ids are random
-- UUIDs and order nothing. Listing used SQLite's rowid, which VACUUM may renumber and which
-- PostgreSQL does not have (its ctid moves when a row is updated). The repository gives
-- each new request one more than the largest so far (store/budget_request_repo.cpp).
ALTER TABLE budget_requests ADD COLUMN filing_order INTEGER;
UPDATE budget_requests SET filing_order = rowid;
CREATE INDEX budget_requests_filing_order ON budget_requests(filing_order);
