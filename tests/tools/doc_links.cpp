// doc_links SOURCE_DIR: fails (exit 1) when README.md, a page in docs/ or a
// comment in the code points to a file the repository does not have. The docs
// must stand alone, so a reader can follow every reference they make.
//
// Checked:
// - Markdown links `[text](target)` that are not URLs: the file (relative to
//   the page) must exist and, with `#anchor`, a heading of that file must
//   give that anchor (GitHub's rule: lowercase, punctuation dropped, spaces
//   to dashes).
// - Names of Markdown files (`guide.md`, `docs/semantics.md`) anywhere in a
//   page or a comment: relative to the page, to docs/ or to the source tree.
// - Paths into the tree's own folders (`include/aigallery/error.hpp`,
//   `scripts/run.sh`, `tests/consumer/`): relative to the source tree; a
//   program named by its source's stem (`examples/seed_walkthrough`) counts.
#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <regex>
#include <set>
#include <string>
#include <vector>

namespace fs = std::filesystem;

namespace {

fs::path root;
int failures = 0;

std::string read(fs::path const& p) {
    std::ifstream in(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void fail(fs::path const& file, std::size_t line, std::string const& what) {
    std::cerr << fs::relative(file, root).string() << ":" << line << ": " << what << "\n";
    ++failures;
}

std::size_t line_of(std::string const& text, std::size_t pos) {
    return 1 + static_cast<std::size_t>(std::count(text.begin(), text.begin() + pos, '\n'));
}

/// GitHub's anchor for a heading.
std::string slug(std::string heading) {
    std::string out;
    for (unsigned char c : heading) {
        if (std::isalnum(c) || c == '-' || c == '_' || c >= 0x80)
            out += static_cast<char>(std::tolower(c));
        else if (c == ' ')
            out += '-';
    }
    return out;
}

std::set<std::string> anchors_of(fs::path const& md) {
    std::set<std::string> out;
    std::string text = read(md);
    bool fenced = false;
    std::size_t start = 0;
    while (start <= text.size()) {
        auto end = text.find('\n', start);
        std::string line = text.substr(start, end == std::string::npos ? end : end - start);
        if (line.starts_with("```"))
            fenced = !fenced;
        std::smatch m;
        static std::regex const heading(R"(#{1,6} +(.*?) *)");
        if (!fenced && std::regex_match(line, m, heading))
            out.insert(slug(m[1]));
        if (end == std::string::npos)
            break;
        start = end + 1;
    }
    return out;
}

bool is_placeholder(std::string const& p) {
    return p.find_first_of("<>*{}$…") != std::string::npos || p.find("...") != std::string::npos;
}

/// `name` resolves somewhere sensible, as a file, a folder or a program's source.
bool exists_from(fs::path const& base, std::string const& name) {
    auto p = base / name;
    if (fs::exists(p))
        return true;
    return !p.has_extension() && fs::exists(p.string() + ".cpp");
}

void check_markdown_names(fs::path const& file, std::string const& text) {
    // `guide.md` or `docs/semantics.md`: looked for where a reader would look.
    static std::regex const md_name(R"((?:\.\.?/)?(?:[A-Za-z0-9_.-]+/)*[A-Za-z0-9_-]+\.md\b)");
    for (auto it = std::sregex_iterator(text.begin(), text.end(), md_name);
         it != std::sregex_iterator(); ++it) {
        std::string name = it->str();
        auto pos = static_cast<std::size_t>(it->position());
        if (pos > 0 &&
            (text[pos - 1] == '/' || std::isalnum(static_cast<unsigned char>(text[pos - 1]))))
            continue;  // part of a URL or a longer name, checked elsewhere
        if (name.find("shared/") != std::string::npos || name.starts_with("../")) {
            fail(file, line_of(text, pos), "cites '" + name + "', outside the repository");
            continue;
        }
        if (!exists_from(file.parent_path(), name) && !exists_from(root / "docs", name) &&
            !exists_from(root, name))
            fail(file, line_of(text, pos), "names '" + name + "', which does not exist");
    }
}

void check_tree_paths(fs::path const& file, std::string const& text) {
    static std::regex const path(
        R"((?:^|[\s`'"(\[])((?:include|mock_server|tests|scripts|examples|benchmarks|cmake|cli|docs|fuzz|\.ci)/[A-Za-z0-9_./<>*{}$…-]*))");
    for (auto it = std::sregex_iterator(text.begin(), text.end(), path);
         it != std::sregex_iterator(); ++it) {
        std::string name = (*it)[1].str();
        while (!name.empty() && (name.back() == '.' || name.back() == ','))
            name.pop_back();
        if (is_placeholder(name))
            continue;
        if (!exists_from(root, name))
            fail(file, line_of(text, static_cast<std::size_t>(it->position(1))),
                 "names '" + name + "', which does not exist");
    }
}

void check_links(fs::path const& md, std::string const& text) {
    static std::regex const link(R"(\]\(([^)\s]+)\))");
    for (auto it = std::sregex_iterator(text.begin(), text.end(), link);
         it != std::sregex_iterator(); ++it) {
        std::string target = (*it)[1].str();
        auto line = line_of(text, static_cast<std::size_t>(it->position()));
        if (target.find("://") != std::string::npos || target.starts_with("mailto:"))
            continue;
        std::string anchor;
        if (auto hash = target.find('#'); hash != std::string::npos) {
            anchor = target.substr(hash + 1);
            target = target.substr(0, hash);
        }
        fs::path file = target.empty() ? md : md.parent_path() / target;
        if (!fs::exists(file)) {
            fail(md, line, "links to '" + target + "', which does not exist");
            continue;
        }
        if (!anchor.empty() && file.extension() == ".md" && !anchors_of(file).contains(anchor))
            fail(md, line, "links to '" + target + "#" + anchor + "': no such heading");
    }
}

/// The comments of a C++ or CMake file, with the newlines kept so line numbers hold.
std::string comments_of(fs::path const& file, std::string const& text) {
    std::string out(text.size(), ' ');
    bool cpp = file.extension() != ".txt" && file.extension() != ".cmake";
    std::size_t i = 0;
    while (i < text.size()) {
        if (text[i] == '\n') {
            out[i++] = '\n';
        } else if (cpp && text.compare(i, 2, "//") == 0) {
            while (i < text.size() && text[i] != '\n')
                out[i] = text[i], ++i;
        } else if (!cpp && text[i] == '#') {
            while (i < text.size() && text[i] != '\n')
                out[i] = text[i], ++i;
        } else {
            ++i;
        }
    }
    return out;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 2) {
        std::cerr << "usage: doc_links SOURCE_DIR\n";
        return 2;
    }
    root = fs::canonical(argv[1]);

    std::vector<fs::path> pages{root / "README.md", root / "CHANGELOG.md"};
    for (auto const& e : fs::recursive_directory_iterator(root / "docs"))
        if (e.path().extension() == ".md")
            pages.push_back(e.path());
    for (auto const& page : pages) {
        std::string text = read(page);
        check_links(page, text);
        check_markdown_names(page, text);
        check_tree_paths(page, text);
    }

    std::size_t sources = 0;
    for (char const* dir : {"include", "mock_server", "cli", "tests", "examples", "benchmarks",
                            "fuzz", "scripts", "cmake"}) {
        if (!fs::exists(root / dir))
            continue;
        for (auto const& e : fs::recursive_directory_iterator(root / dir)) {
            auto ext = e.path().extension();
            if (ext != ".hpp" && ext != ".cpp" && ext != ".txt" && ext != ".cmake" && ext != ".sh")
                continue;
            std::string text = read(e.path());
            std::string notes =
                ext == ".sh" ? comments_of(root / "x.cmake", text) : comments_of(e.path(), text);
            check_markdown_names(e.path(), notes);
            check_tree_paths(e.path(), notes);
            ++sources;
        }
    }
    for (auto const& f : {root / "CMakeLists.txt", root / ".ci/run"}) {
        std::string text = read(f);
        check_markdown_names(f, comments_of(root / "x.cmake", text));
        check_tree_paths(f, comments_of(root / "x.cmake", text));
    }

    std::cout << "doc_links: " << pages.size() << " pages and " << sources + 2
              << " source files checked, " << failures << " broken reference(s)\n";
    return failures ? 1 : 0;
}
