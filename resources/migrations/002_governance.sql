-- Governance: agents, their budgets, budget leases, usage reports against leases and the
-- history of allocation changes. Money is integer microdollars (µ$); times are ms since the
-- Unix epoch (UTC). No rows are seeded: agents exist only when an admin creates them.

-- provider_key_id has no foreign key yet: the provider-keys table arrives with its own
-- migration, and SQLite cannot add a constraint to an existing table without rebuilding it.
CREATE TABLE agents (
  id                  INTEGER PRIMARY KEY AUTOINCREMENT,
  name                TEXT NOT NULL,
  owner_id            TEXT NOT NULL REFERENCES users(id),
  provider_key_id     INTEGER,
  providers           TEXT NOT NULL DEFAULT '[]',   -- JSON array of provider names
  created_at          INTEGER NOT NULL,
  updated_at          INTEGER NOT NULL,
  ic_token_hash       TEXT,                          -- SHA-256 hex of the current IC token
  ic_token_created_at INTEGER
);
CREATE INDEX agents_owner ON agents(owner_id, created_at);
CREATE UNIQUE INDEX agents_ic_token_hash ON agents(ic_token_hash) WHERE ic_token_hash IS NOT NULL;

-- One row per agent, created in the same transaction as the agent. Every µ$ allocated is
-- in exactly one bucket: spent (reported usage), reserved (granted to active leases and
-- not yet reported) or remaining (free to lease). The database refuses any statement that
-- breaks this, so no code path (or hand-written UPDATE) can create or lose money.
CREATE TABLE agent_budgets (
  agent_id         INTEGER PRIMARY KEY REFERENCES agents(id) ON DELETE CASCADE,
  total_allocated  INTEGER NOT NULL CHECK (total_allocated >= 0),
  total_spent      INTEGER NOT NULL DEFAULT 0 CHECK (total_spent >= 0),
  total_reserved   INTEGER NOT NULL DEFAULT 0 CHECK (total_reserved >= 0),
  budget_remaining INTEGER NOT NULL CHECK (budget_remaining >= 0),
  created_at       INTEGER NOT NULL,
  updated_at       INTEGER NOT NULL,
  CHECK (total_allocated = total_spent + total_reserved + budget_remaining)
);

-- A lease is a slice of an agent's budget granted to one runtime session. While active, its
-- unreported part (granted - spent) is counted in agent_budgets.total_reserved; when it ends
-- (closed by return or refresh, expired by the sweeper, revoked) that part goes back to
-- budget_remaining and is recorded in `released`.
CREATE TABLE budget_leases (
  id         TEXT PRIMARY KEY,                       -- lease_<uuid>
  agent_id   INTEGER NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
  granted    INTEGER NOT NULL CHECK (granted > 0),
  spent      INTEGER NOT NULL DEFAULT 0,
  status     TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'closed', 'expired', 'revoked')),
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  closed_at  INTEGER,
  released   INTEGER,
  CHECK (spent >= 0 AND spent <= granted),
  CHECK ((status = 'active' AND closed_at IS NULL AND released IS NULL) OR
         (status <> 'active' AND closed_at IS NOT NULL AND released = granted - spent))
);
CREATE INDEX budget_leases_agent_status ON budget_leases(agent_id, status);
CREATE INDEX budget_leases_active_expiry ON budget_leases(expires_at) WHERE status = 'active';

-- One row per accepted usage report. The primary key makes a report idempotent per
-- (lease_id, request_id); the *_after columns keep the first outcome so a replay can return
-- it unchanged.
CREATE TABLE lease_reports (
  lease_id               TEXT NOT NULL REFERENCES budget_leases(id) ON DELETE CASCADE,
  request_id             TEXT NOT NULL,
  tokens                 INTEGER NOT NULL CHECK (tokens >= 0),
  cost_microdollars      INTEGER NOT NULL CHECK (cost_microdollars >= 0),
  model                  TEXT NOT NULL,
  provider               TEXT NOT NULL,
  lease_spent_after      INTEGER NOT NULL,
  budget_remaining_after INTEGER NOT NULL,
  created_at             INTEGER NOT NULL,
  PRIMARY KEY (lease_id, request_id)
);

-- Every change of an agent's allocation, including the initial one.
CREATE TABLE budget_history (
  id                 INTEGER PRIMARY KEY AUTOINCREMENT,
  agent_id           INTEGER NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
  previous_allocated INTEGER NOT NULL,
  new_allocated      INTEGER NOT NULL,
  changed_by         TEXT NOT NULL,                  -- user id, or the actor type (system)
  reason             TEXT,
  budget_request_id  TEXT,                           -- breq_<uuid> when an approval caused it
  created_at         INTEGER NOT NULL
);
CREATE INDEX budget_history_agent ON budget_history(agent_id, id);
