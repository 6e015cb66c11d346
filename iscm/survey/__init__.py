"""Survey import: "Summary of Findings per ISCM" documents read, cleaned, parsed, their facts extracted,
kept in the user's store and merged into the Dataset.

    read      bytes -> text (txt, md, pdf, docx), within size, page and unpacking limits
    sections  the five sections and the lines that open an entry or a section
    clean     text -> lines without page furniture, footnotes and markup; lines -> paragraphs
    parse     text -> entries and sections (`parse_survey`)
    model     the parse result as typed models (the JSON of docs/survey-json.md)
    vocabulary  the phrases naming a dataset's ISCMs, organizations and themes (one per dataset version,
              shared by extraction and the profile's highlighting)
    extract   entries -> facts with evidence, matched to the dataset (`parse_document`)
    review    a parse result as the import screens show it (preview tables, what an import added)
    store     the imports on disk (atomic, locked, idempotent)
    merge     the dataset plus what the imports add (`merge_surveys`)

Import from the modules; this package file imports nothing, so reading one module loads only what it needs.
"""
