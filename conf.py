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
    (r"c:.*", r"(union bpf_attr|bpf_attr|sockaddr|sockaddr_storage|in6_addr|in_addr_t|in_port_t|sk_reuseport_md|__u64|enum sk_action|sk_action|bpf_map_type|BPF_OBJ_NAME_LEN)"),
    # Opaque in the port as in the kernel: declared, never defined in a header.
    (r"c:.*", r"workqueue_struct"),
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
html_static_path = ["book/_static"]
html_css_files = ["sockarray.css"]
todo_include_todos = False


# ``.. generated:: NAME`` includes a file that the build wrote by running
# the project's own programs (an example's output, the table of conformance
# cases): cmake/Book.cmake passes the folder as SOCKARRAY_GENERATED.  It
# takes the options of docutils' include (``:literal:``, ``:code: c``, ...).
# Such text is never typed into the book by hand.
from docutils.parsers.rst.directives.misc import Include as _DocutilsInclude

GENERATED_DIR = os.environ.get("SOCKARRAY_GENERATED", "")


class GeneratedInclude(_DocutilsInclude):
    def run(self):
        name = self.arguments[0]
        if not GENERATED_DIR:
            raise self.severe("generated: SOCKARRAY_GENERATED is not set "
                              "(build the book with CMake's 'book' target)")
        path = os.path.join(GENERATED_DIR, name)
        if not os.path.isfile(path):
            raise self.severe(f"generated: {path} was not generated")
        self.arguments[0] = path
        self.state.document.settings.record_dependencies.add(path)
        return super().run()


def setup(app):
    app.add_directive("generated", GeneratedInclude)
    return {"parallel_read_safe": True}
