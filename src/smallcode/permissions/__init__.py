"""Permissions and the sandbox: nothing destructive or outside the project without the user.

- ``rules``         Claude Code's rule syntax (``Bash(npm run test:*)``, ``Edit(src/**)``), aliases
- ``bashparse``     shell commands taken apart on a tree-sitter-bash parse
- ``builtin``       the built-in allow and deny lists
- ``engine``        the decision for one call: allow, ask or deny, and why
- ``settingsfiles`` .smallcode/settings*.json, the user's settings.json, .claude/settings*.json
- ``manager``       a session's permissions: prompting, remembering, denials, the sandbox
- ``sandbox``       bubblewrap, else Landlock (``landlock``, ``launcher``), else off
- ``secretenv``     secrets kept out of the shell's environment and masked in output

Below the agent: it imports only config, events, errors, trust and the store.
"""
