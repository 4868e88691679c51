# Sphinx configuration for the book.  Sources are in book/; the build is
# driven by CMake (cmake/Book.cmake), which runs Doxygen first and passes
# the absolute path of its XML as -D breathe_projects.sockarray=...
import os

project = "Inside the reuseport socket array"
author = "The sockarray authors"
copyright = "2026, The sockarray authors"
release = "1.0"

extensions = [
    "breathe",
    "sphinx.ext.graphviz",
    "sphinx.ext.todo",
]
try:  # optional nicety: a copy button on every listing
    import sphinx_copybutton  # noqa: F401
    extensions.append("sphinx_copybutton")
except ImportError:
    pass

root_doc = "index"
exclude_patterns = ["_build", "Doxyfile.in"]
templates_path = []

# C throughout: Breathe would otherwise treat headers as C++.
primary_domain = "c"
highlight_language = "c"
breathe_default_project = "sockarray"
breathe_projects = {
    "sockarray": os.environ.get("SOCKARRAY_DOXYGEN_XML", "doxygen/xml"),
}
breathe_domain_by_extension = {"h": "c", "c": "c"}
breathe_default_members = ("members",)
breathe_show_include = False

# Kernel annotations that Sphinx's C parser must accept in signatures.
c_id_attributes = ["__rcu", "__force", "_Atomic", "__thread"]
c_paren_attributes = ["__must_hold"]

# Warnings are errors (-W), references are checked (-n).
nitpicky = True
nitpick_ignore_regex = [
    (r"c:.*", r"(u?int(8|16|32|64)_t|u?intptr_t|s?size_t|bool|uid_t|socklen_t|pthread_\w+_t)"),
    (r"c:.*", r"(union bpf_attr|bpf_attr|sockaddr|enum sk_action|sk_action|bpf_map_type|BPF_OBJ_NAME_LEN)"),
    (r"c:identifier", r".*@\d+"),
]

graphviz_output_format = "svg"
graphviz_dot_args = [
    "-Nfontname=DejaVu Sans",
    "-Efontname=DejaVu Sans",
    "-Gfontname=DejaVu Sans",
]

html_theme = "furo"
html_title = "Inside the reuseport socket array"
html_show_sourcelink = False
html_static_path = []
todo_include_todos = False
