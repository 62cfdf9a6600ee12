-- Issue 17: playbooks. A playbook is a versioned template of steps; a run is one start of it
-- on an account (by hand, by an alert rule or by the review schedule) whose steps became
-- actions of the account's active plan. A run keeps the version and name it started with.
CREATE TABLE playbooks (
	id INTEGER PRIMARY KEY,
	name TEXT NOT NULL,
	description TEXT,
	enabled INTEGER NOT NULL DEFAULT 1,
	-- what may start it besides a person: an alert rule, or the plan's next review
	trigger_kind TEXT NOT NULL DEFAULT 'manual' CHECK (trigger_kind IN ('manual','alert','review')),
	trigger_rule TEXT,
	trigger_days INTEGER,
	key_accounts_only INTEGER NOT NULL DEFAULT 0,
	-- whether the alerts job and the schedule start it (off in the shipped defaults)
	auto_start INTEGER NOT NULL DEFAULT 0,
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL,
	version INTEGER NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX playbooks_name ON playbooks (name);

CREATE TABLE playbook_steps (
	playbook_id INTEGER NOT NULL REFERENCES playbooks (id) ON DELETE CASCADE,
	position INTEGER NOT NULL,
	title TEXT NOT NULL,
	owner_role TEXT NOT NULL,
	offset_days INTEGER NOT NULL,
	objective_title TEXT,
	PRIMARY KEY (playbook_id, position)
);

CREATE TABLE playbook_runs (
	id INTEGER PRIMARY KEY,
	playbook_id INTEGER REFERENCES playbooks (id) ON DELETE SET NULL,
	playbook_version INTEGER NOT NULL,
	name TEXT NOT NULL,
	account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
	plan_id INTEGER REFERENCES plans (id) ON DELETE SET NULL,
	started_on TEXT NOT NULL,
	trigger_kind TEXT NOT NULL CHECK (trigger_kind IN ('manual','alert','review')),
	trigger_key TEXT NOT NULL,
	alert_id INTEGER REFERENCES alerts (id) ON DELETE SET NULL,
	review_id INTEGER REFERENCES reviews (id) ON DELETE SET NULL,
	started_by INTEGER REFERENCES users (id) ON DELETE SET NULL,
	why TEXT NOT NULL,
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL,
	version INTEGER NOT NULL DEFAULT 1
);
-- never twice for the same trigger
CREATE UNIQUE INDEX playbook_runs_trigger ON playbook_runs (playbook_id, account_id, trigger_key);
CREATE INDEX playbook_runs_account ON playbook_runs (account_id, id);

CREATE TABLE playbook_run_actions (
	run_id INTEGER NOT NULL REFERENCES playbook_runs (id) ON DELETE CASCADE,
	action_id INTEGER NOT NULL REFERENCES actions (id) ON DELETE CASCADE,
	position INTEGER NOT NULL,
	PRIMARY KEY (run_id, action_id)
);
CREATE UNIQUE INDEX playbook_run_actions_action ON playbook_run_actions (action_id);

-- the six playbooks kam ships: working defaults, editable; started by hand until an
-- admin turns auto_start on (docs/playbooks.md)
INSERT INTO playbooks (id, name, description, enabled, trigger_kind, trigger_rule, trigger_days, key_accounts_only, auto_start, created_at, updated_at) VALUES (1, 'Renewal preparation', 'Ninety days of work before a renewal: know where the account stands, agree the value delivered, and close the renewal before it becomes a risk.', 1, 'alert', 'renewal_risk', NULL, 0, 0, CAST(strftime('%s', 'now') AS INTEGER), CAST(strftime('%s', 'now') AS INTEGER));
INSERT INTO playbook_steps (playbook_id, position, title, owner_role, offset_days, objective_title) VALUES (1, 1, 'Review usage, health and open cases before the renewal', 'kam', 0, 'Renew on time');
INSERT INTO playbook_steps (playbook_id, position, title, owner_role, offset_days, objective_title) VALUES (1, 2, 'Confirm the renewal decision makers and their process', 'kam', 7, 'Renew on time');
INSERT INTO playbook_steps (playbook_id, position, title, owner_role, offset_days, objective_title) VALUES (1, 3, 'Executive sponsor call with the client''s economic buyer', 'executive_sponsor', 14, 'Renew on time');
INSERT INTO playbook_steps (playbook_id, position, title, owner_role, offset_days, objective_title) VALUES (1, 4, 'Prepare the value summary of the contract period', 'kam', 21, 'Renew on time');
INSERT INTO playbook_steps (playbook_id, position, title, owner_role, offset_days, objective_title) VALUES (1, 5, 'Send the renewal proposal', 'kam', 30, 'Renew on time');
INSERT INTO playbook_steps (playbook_id, position, title, owner_role, offset_days, objective_title) VALUES (1, 6, 'Approve the commercial terms', 'director', 35, NULL);
INSERT INTO playbook_steps (playbook_id, position, title, owner_role, offset_days, objective_title) VALUES (1, 7, 'Close the renewal and log the outcome', 'kam', 60, 'Renew on time');
INSERT INTO playbooks (id, name, description, enabled, trigger_kind, trigger_rule, trigger_days, key_accounts_only, auto_start, created_at, updated_at) VALUES (2, 'QBR preparation', 'Three weeks before a quarterly business review: the figures, the agenda and the people in the room.', 1, 'review', NULL, 21, 0, 0, CAST(strftime('%s', 'now') AS INTEGER), CAST(strftime('%s', 'now') AS INTEGER));
INSERT INTO playbook_steps (playbook_id, position, title, owner_role, offset_days, objective_title) VALUES (2, 1, 'Draft the QBR agenda with the client''s sponsor', 'kam', 0, NULL);
INSERT INTO playbook_steps (playbook_id, position, title, owner_role, offset_days, objective_title) VALUES (2, 2, 'Pull the KPIs, health and revenue of the quarter', 'kam', 3, NULL);
INSERT INTO playbook_steps (playbook_id, position, title, owner_role, offset_days, objective_title) VALUES (2, 3, 'Review open support cases and their SLA', 'support_lead', 7, NULL);
INSERT INTO playbook_steps (playbook_id, position, title, owner_role, offset_days, objective_title) VALUES (2, 4, 'Update the objectives'' progress in the plan', 'kam', 10, NULL);
INSERT INTO playbook_steps (playbook_id, position, title, owner_role, offset_days, objective_title) VALUES (2, 5, 'Brief the executive sponsor', 'executive_sponsor', 14, NULL);
INSERT INTO playbook_steps (playbook_id, position, title, owner_role, offset_days, objective_title) VALUES (2, 6, 'Send the deck and pre-read to the attendees', 'kam', 18, NULL);
INSERT INTO playbooks (id, name, description, enabled, trigger_kind, trigger_rule, trigger_days, key_accounts_only, auto_start, created_at, updated_at) VALUES (3, 'Detractor recovery', 'A client answered as a detractor: call back fast, find the cause, fix it and ask again.', 1, 'alert', 'detractor', NULL, 0, 0, CAST(strftime('%s', 'now') AS INTEGER), CAST(strftime('%s', 'now') AS INTEGER));
INSERT INTO playbook_steps (playbook_id, position, title, owner_role, offset_days, objective_title) VALUES (3, 1, 'Call the detractor back within two days', 'kam', 0, 'Win back the detractor');
INSERT INTO playbook_steps (playbook_id, position, title, owner_role, offset_days, objective_title) VALUES (3, 2, 'Find the root cause with support and delivery', 'support_lead', 3, 'Win back the detractor');
INSERT INTO playbook_steps (playbook_id, position, title, owner_role, offset_days, objective_title) VALUES (3, 3, 'Agree a recovery plan with the client', 'kam', 7, 'Win back the detractor');
INSERT INTO playbook_steps (playbook_id, position, title, owner_role, offset_days, objective_title) VALUES (3, 4, 'Executive sponsor call to the client''s leadership', 'executive_sponsor', 10, NULL);
INSERT INTO playbook_steps (playbook_id, position, title, owner_role, offset_days, objective_title) VALUES (3, 5, 'Check the fix landed and ask for feedback again', 'kam', 30, 'Win back the detractor');
INSERT INTO playbooks (id, name, description, enabled, trigger_kind, trigger_rule, trigger_days, key_accounts_only, auto_start, created_at, updated_at) VALUES (4, 'Service recovery', 'A support case broke its SLA on a key account: contain, explain and prevent.', 1, 'alert', 'sla_breach', NULL, 1, 0, CAST(strftime('%s', 'now') AS INTEGER), CAST(strftime('%s', 'now') AS INTEGER));
INSERT INTO playbook_steps (playbook_id, position, title, owner_role, offset_days, objective_title) VALUES (4, 1, 'Escalate the breached case and name one owner', 'support_lead', 0, 'Restore service levels');
INSERT INTO playbook_steps (playbook_id, position, title, owner_role, offset_days, objective_title) VALUES (4, 2, 'Tell the client what happened and when it is fixed', 'kam', 1, NULL);
INSERT INTO playbook_steps (playbook_id, position, title, owner_role, offset_days, objective_title) VALUES (4, 3, 'Root-cause analysis of the breach', 'support_lead', 5, 'Restore service levels');
INSERT INTO playbook_steps (playbook_id, position, title, owner_role, offset_days, objective_title) VALUES (4, 4, 'Review the SLA and staffing with the director', 'director', 10, NULL);
INSERT INTO playbook_steps (playbook_id, position, title, owner_role, offset_days, objective_title) VALUES (4, 5, 'Confirm service is back to target with the client', 'kam', 21, 'Restore service levels');
INSERT INTO playbooks (id, name, description, enabled, trigger_kind, trigger_rule, trigger_days, key_accounts_only, auto_start, created_at, updated_at) VALUES (5, 'Rebuild sponsorship', 'A champion or decision maker left or turned against us: map the organisation again and win a new sponsor.', 1, 'alert', 'stakeholder_change', NULL, 0, 0, CAST(strftime('%s', 'now') AS INTEGER), CAST(strftime('%s', 'now') AS INTEGER));
INSERT INTO playbook_steps (playbook_id, position, title, owner_role, offset_days, objective_title) VALUES (5, 1, 'Refresh the stakeholder map: who left, who arrived', 'kam', 0, 'Multi-thread the relationship');
INSERT INTO playbook_steps (playbook_id, position, title, owner_role, offset_days, objective_title) VALUES (5, 2, 'Ask the remaining contacts for introductions', 'kam', 5, 'Multi-thread the relationship');
INSERT INTO playbook_steps (playbook_id, position, title, owner_role, offset_days, objective_title) VALUES (5, 3, 'Executive sponsor meets the new decision maker', 'executive_sponsor', 14, 'Multi-thread the relationship');
INSERT INTO playbook_steps (playbook_id, position, title, owner_role, offset_days, objective_title) VALUES (5, 4, 'Plan meetings with two more influential contacts', 'kam', 21, NULL);
INSERT INTO playbook_steps (playbook_id, position, title, owner_role, offset_days, objective_title) VALUES (5, 5, 'Review coverage with the director', 'director', 30, NULL);
INSERT INTO playbooks (id, name, description, enabled, trigger_kind, trigger_rule, trigger_days, key_accounts_only, auto_start, created_at, updated_at) VALUES (6, 'New key account onboarding', 'The first ninety days of a new key account: team, plan, kick-off and the first review.', 1, 'manual', NULL, NULL, 0, 0, CAST(strftime('%s', 'now') AS INTEGER), CAST(strftime('%s', 'now') AS INTEGER));
INSERT INTO playbook_steps (playbook_id, position, title, owner_role, offset_days, objective_title) VALUES (6, 1, 'Name the account team and their roles', 'kam', 0, NULL);
INSERT INTO playbook_steps (playbook_id, position, title, owner_role, offset_days, objective_title) VALUES (6, 2, 'Write the account plan: situation, objectives, vision', 'kam', 7, 'Successful onboarding');
INSERT INTO playbook_steps (playbook_id, position, title, owner_role, offset_days, objective_title) VALUES (6, 3, 'Kick-off meeting with the client''s sponsor', 'kam', 14, 'Successful onboarding');
INSERT INTO playbook_steps (playbook_id, position, title, owner_role, offset_days, objective_title) VALUES (6, 4, 'Introduce the support lead and the escalation path', 'support_lead', 14, NULL);
INSERT INTO playbook_steps (playbook_id, position, title, owner_role, offset_days, objective_title) VALUES (6, 5, 'Executive sponsor welcome call', 'executive_sponsor', 21, NULL);
INSERT INTO playbook_steps (playbook_id, position, title, owner_role, offset_days, objective_title) VALUES (6, 6, 'First business review: goals and success measures', 'kam', 45, 'Successful onboarding');
INSERT INTO playbook_steps (playbook_id, position, title, owner_role, offset_days, objective_title) VALUES (6, 7, 'Ninety-day check with the director', 'director', 90, NULL);
