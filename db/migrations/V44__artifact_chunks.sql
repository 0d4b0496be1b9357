-- Issue 9: artifacts in chunks, so that a proving key of a gigabyte is never one value in memory.
-- A new artifact's bytes are rows of artifact_chunks (seq 0, 1, ...; each at most the chunk size,
-- zkml.artifacts.chunk-size, when it was written) and artifacts.bytes is NULL; artifacts.chunks
-- counts them. Rows written before this migration keep their bytes in artifacts.bytes (chunks NULL)
-- and are read as they are: a reader handles both layouts, nothing is rewritten here (a rewrite of
-- large keys inside a migration would hold the whole table).
CREATE TABLE artifact_chunks (
    sha256 char(64) NOT NULL REFERENCES artifacts (sha256) ON DELETE CASCADE,
    seq    integer  NOT NULL CHECK (seq >= 0),
    bytes  bytea    NOT NULL,
    PRIMARY KEY (sha256, seq)
);
-- keys and constraint systems do not compress: store them out of line without trying
ALTER TABLE artifact_chunks ALTER COLUMN bytes SET STORAGE EXTERNAL;

ALTER TABLE artifacts
    ALTER COLUMN bytes DROP NOT NULL,
    ADD COLUMN chunks integer CHECK (chunks >= 0),
    ADD CONSTRAINT artifacts_one_layout CHECK ((bytes IS NULL) <> (chunks IS NULL));

-- Issue 9: a circuit may require worker capability tags (POST /v1/models/{id}/circuits
-- "workerTags": ["gpu"]); its prove jobs get them as jobs.required_tags (V17) and go only to
-- workers that have every one of them. Empty: any worker.
ALTER TABLE circuits ADD COLUMN worker_tags text[] NOT NULL DEFAULT '{}';
