"""The knowledge base (skills/) as typed, validated data; no routing, no MCP, no engine logic.

`loader` finds and reads the files, `strict` is the base of every model of them, `skill_models` and
`provider` are the models of the skill files and of provider.yaml, `knowledge_base` the loaded whole
with lookups by id, `facts` fills provider values into text, `finding_text` turns a finding's words
into a Finding.
"""
