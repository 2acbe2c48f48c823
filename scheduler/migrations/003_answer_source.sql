-- Where a generation's graded answer came from: the streamed `content` (the normal case), or its
-- `reasoning_content` when the server put the whole reply there although the model catalog turned
-- reasoning off (worker/generation.py, `answer_source`). Content and reasoning stay stored apart.
ALTER TABLE generations ADD COLUMN answer_source text NOT NULL DEFAULT 'content'
    CHECK (answer_source IN ('content', 'reasoning'));
