-- Bulk mail through the same outbox (mail.c).  A message queued for many
-- recipients at once (a campaign, the update of a publication) has no
-- text yet: the feature named by `source` renders it when it is sent, for
-- recipient_id, so queueing 100,000 of them is one INSERT ... SELECT.
ALTER TABLE mail_outbox
	ALTER COLUMN message DROP NOT NULL,
	ADD COLUMN source text,
	ADD COLUMN source_id bigint,
	ADD COLUMN recipient_id bigint,
	-- 0: a person is waiting for it (a password reset); 1: bulk.
	ADD COLUMN priority smallint NOT NULL DEFAULT 0 CHECK (priority IN (0, 1)),
	-- The relay refused it for good (SMTP 5xx).
	ADD COLUMN bounced boolean NOT NULL DEFAULT false,
	ADD CONSTRAINT mail_outbox_text_or_source CHECK (message IS NOT NULL OR source IS NOT NULL);

-- cancelled: its renderer found nothing to send any more (the subscriber
-- left after it was queued); suppressed: the address bounces.
ALTER TABLE mail_outbox DROP CONSTRAINT mail_outbox_status_check;
ALTER TABLE mail_outbox ADD CONSTRAINT mail_outbox_status_check
	CHECK (status IN ('queued', 'sent', 'failed', 'cancelled', 'suppressed'));

-- The claim reads the queue in this order and stops at its batch.
DROP INDEX mail_outbox_queue;
CREATE INDEX mail_outbox_queue ON mail_outbox (priority, next_attempt_at, id) WHERE status = 'queued';
CREATE INDEX mail_outbox_source ON mail_outbox (source, source_id) WHERE source IS NOT NULL;

-- Addresses the relay refuses: after mail_bounce_limit permanent failures
-- an address is suppressed and no message is sent to it any more.
CREATE TABLE mail_bounces (
	address       text PRIMARY KEY CHECK (address = lower(address)),
	bounces       int NOT NULL DEFAULT 0,
	last_error    text,
	updated_at    timestamptz NOT NULL DEFAULT now(),
	suppressed_at timestamptz
);
