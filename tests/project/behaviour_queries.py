"""Behaviour queries for searching the source of ``rich``: each says what the code does, in
words the target definition's name does not use, and lists the definitions that count as a hit.
"""

RICH_QUERIES: list[tuple[str, set[str]]] = [
    (
        "remove terminal colour sequences from a piece of output",
        {"strip_control_codes", "Text.from_ansi", "escape_control_codes"},
    ),
    (
        "break a paragraph into lines that fit the screen",
        {"divide_line", "Text.wrap", "Text.divide"},
    ),
    ("show nested hierarchy with guide lines", {"Tree", "Tree.__rich_console__"}),
    ("animation that spins while the user waits", {"Spinner", "Status", "Console.status"}),
    (
        "nicely format nested dicts and lists for display",
        {"pretty_repr", "Pretty", "pprint", "traverse", "install"},
    ),
    (
        "render headings and bullet lists from a README document",
        {"Markdown", "Markdown.__rich_console__", "MarkdownElement", "Heading", "ListElement"},
    ),
    (
        "how many columns a wide CJK glyph occupies",
        {"cell_len", "get_character_cell_size", "cached_cell_len", "_is_single_cell_widths"},
    ),
    (
        "keep what was printed and write it out as a web page",
        {"Console.export_html", "Console.save_html"},
    ),
    ("ask the user a yes or no question", {"Confirm", "Confirm.process_response", "PromptBase"}),
    ("separator line with a heading across the screen", {"Rule"}),
    (
        "estimate how long until the job finishes",
        {"TimeRemainingColumn", "Task.time_remaining", "TimeRemainingColumn.render"},
    ),
    (
        "show the stack of a crash with local variables",
        {"Traceback", "install", "Traceback.extract", "Console.print_exception"},
    ),
    (
        "interpret '#ff0000' or 'red' as a triplet of numbers",
        {"Color.parse", "parse_rgb_hex", "Color"},
    ),
    ("arrange items side by side like the output of ls", {"Columns"}),
    (
        "make the standard log output colourful",
        {"RichHandler", "RichHandler.emit", "RichHandler.render"},
    ),
    ("draw a frame with a border around some text", {"Panel", "Box"}),
    ("turn :name: codes into small pictures", {"Emoji", "_emoji_replace", "Emoji.replace"}),
    (
        "switch the terminal to the alternate buffer for full-window apps",
        {
            "Console.screen",
            "Console.set_alt_screen",
            "ScreenContext",
            "Control.alt_screen",
            "Screen",
        },
    ),
    (
        "redraw the output in place many times a second",
        {"Live", "Live.refresh", "Live.update", "_RefreshThread"},
    ),
    (
        "fit a grid of rows and cells into the available width",
        {
            "Table",
            "Table._calculate_column_widths",
            "Table._measure_column",
            "ratio_reduce",
            "ratio_distribute",
        },
    ),
]
