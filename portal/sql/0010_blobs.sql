-- File contents, stored once per content (blob.c).  An upload inserts its
-- blob and chunks in one transaction with the rows that use it; sha256 is
-- NULL only inside that transaction, never in a committed row.
CREATE TABLE blobs (
	id bigserial PRIMARY KEY,
	sha256 bytea UNIQUE CHECK (octet_length(sha256) = 32),
	size bigint NOT NULL DEFAULT 0 CHECK (size >= 0),
	created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE blob_chunks (
	blob_id bigint NOT NULL REFERENCES blobs ON DELETE CASCADE,
	seq integer NOT NULL CHECK (seq >= 0),
	data bytea NOT NULL,
	PRIMARY KEY (blob_id, seq)
);

-- Files are mostly compressed already (PDF, Office, images): storing the
-- chunks out of line without compression spares the attempt on write and
-- the decompression on every download.
ALTER TABLE blob_chunks ALTER COLUMN data SET STORAGE EXTERNAL;
