-- Which source produced each message's words (docs/content-generation.md), and the words a model
-- wrote, pinned at the first attempt so a retry of the same send sends the same words.

-- {"kind":"template"} | {"kind":"model","model":...,"modelVersion":...} | {"kind":"fallback","code":...,"reason":...}
ALTER TABLE send_ledger ADD COLUMN content_source jsonb;
-- The content a model generated (a RenderedContent); null for template and fallback content, which
-- the pinned template version renders again.
ALTER TABLE send_ledger ADD COLUMN generated_content jsonb;
