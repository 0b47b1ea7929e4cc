#include <aigallery/mock/routes.hpp>
#include <boost/test/unit_test.hpp>

#include <aigallery/error.hpp>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <iterator>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#ifndef AIGALLERY_SOURCE_DIR
#error \
    "AIGALLERY_SOURCE_DIR must name the source tree (CMakeLists.txt defines it for aigallery_tests)"
#endif

// docs/openapi.yaml must describe exactly the routes the mock serves, and
// every error code it can answer. No YAML library: a line scanner reads the
// `paths:` section by indentation, which is all this check needs.

namespace {

using operation = std::pair<std::string, std::string>;  // METHOD, path

std::string const openapi_path = std::string(AIGALLERY_SOURCE_DIR) + "/docs/openapi.yaml";

std::string read_file(std::string const& path) {
    std::ifstream in(path, std::ios::binary);
    BOOST_TEST_REQUIRE(in.is_open(), "cannot open " << path);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

struct yaml_line {
    std::size_t indent = 0;
    std::string key;  // empty when the line is not a `key:` entry
};

/// The mapping key a line starts with (plain, 'single' or "double" quoted),
/// or an empty key for anything else (a list item, a continuation line).
yaml_line scan_line(std::string_view line) {
    yaml_line r;
    r.indent = line.find_first_not_of(' ');
    std::string_view s = line.substr(r.indent);
    if (!s.empty() && (s.front() == '\'' || s.front() == '"')) {
        char q = s.front();
        std::string key;
        std::size_t i = 1;
        for (; i < s.size(); ++i) {
            if (s[i] == q && q == '\'' && i + 1 < s.size() && s[i + 1] == '\'') {
                key += '\'';  // '' inside single quotes
                ++i;
            } else if (s[i] == q) {
                break;
            } else if (s[i] == '\\' && q == '"' && i + 1 < s.size()) {
                key += s[++i];
            } else {
                key += s[i];
            }
        }
        if (i + 1 < s.size() && s[i + 1] == ':')
            r.key = key;
        return r;
    }
    if (s.empty() || s.front() == '-' || s.front() == '#')
        return r;
    // A plain key ends at the first ':' followed by a space or the line's end.
    for (std::size_t i = 0; i < s.size(); ++i)
        if (s[i] == ':' && (i + 1 == s.size() || s[i + 1] == ' ')) {
            r.key = std::string(s.substr(0, i));
            while (!r.key.empty() && r.key.back() == ' ')
                r.key.pop_back();
            break;
        }
    return r;
}

bool is_http_method(std::string_view key) {
    for (std::string_view m : {"get", "put", "post", "delete", "options", "head", "patch", "trace"})
        if (key == m)
            return true;
    return false;
}

/// The (METHOD, path) pairs under `paths:`. The first line of the section
/// sets the indentation of path keys, the first line inside a path item that
/// of its keys; deeper lines (schemas, block scalars) are never looked at.
/// Problems (a path or method listed twice, no `paths:`) go to `problems`.
std::multiset<operation> documented_operations(std::string const& text,
                                               std::vector<std::string>& problems) {
    std::multiset<operation> ops;
    std::istringstream in(text);
    std::string line;
    bool in_paths = false, seen_paths = false;
    std::size_t path_indent = 0, method_indent = 0;
    std::string path;
    std::set<std::string> paths;
    while (std::getline(in, line)) {
        if (!line.empty() && line.back() == '\r')
            line.pop_back();
        auto first = line.find_first_not_of(' ');
        if (first == std::string::npos || line[first] == '#')
            continue;  // blank or comment
        auto l = scan_line(line);
        if (l.indent == 0) {
            in_paths = l.key == "paths";
            if (in_paths) {
                if (seen_paths)
                    problems.push_back("`paths:` appears twice");
                seen_paths = true;
                auto rest = line.substr(line.find(':') + 1);
                if (rest.find_first_not_of(' ') != std::string::npos &&
                    rest[rest.find_first_not_of(' ')] != '#')
                    problems.push_back("`paths:` is not a block mapping: " + line);
            }
            path_indent = method_indent = 0;
            path.clear();
            continue;
        }
        if (!in_paths)
            continue;
        if (path_indent == 0)
            path_indent = l.indent;
        if (l.indent == path_indent) {
            path = l.key;
            method_indent = 0;
            if (!path.starts_with('/')) {
                path.clear();  // an x- extension
            } else if (!paths.insert(path).second) {
                problems.push_back("path listed twice: " + path);
            }
        } else if (l.indent > path_indent && !path.empty()) {
            if (method_indent == 0)
                method_indent = l.indent;
            if (l.indent == method_indent && is_http_method(l.key)) {
                std::string method = l.key;
                std::transform(method.begin(), method.end(), method.begin(),
                               [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
                if (ops.count({method, path}))
                    problems.push_back("listed twice: " + method + " " + path);
                ops.insert({method, path});
            }
        } else if (l.indent < path_indent) {
            problems.push_back("unexpected indentation under `paths:`: " + line);
        }
    }
    if (!seen_paths)
        problems.push_back("no top-level `paths:` section");
    return ops;
}

std::set<operation> routed_operations() {
    std::set<operation> ops;
    for (auto const& r : aigallery::mock::routes) {
        std::string_view allow = r.allow;
        while (!allow.empty()) {
            auto comma = allow.find(", ");
            ops.insert({std::string(allow.substr(0, comma)), std::string(r.pattern)});
            allow = comma == std::string_view::npos ? std::string_view() : allow.substr(comma + 2);
        }
    }
    return ops;
}

std::string join(std::vector<std::string> const& v) {
    std::string s;
    for (auto const& x : v)
        s += (s.empty() ? "" : "; ") + x;
    return s;
}

template <class Ops>
std::string describe(Ops const& ops) {
    std::string s;
    for (auto const& [method, path] : ops)
        s += (s.empty() ? "" : ", ") + method + " " + path;
    return s;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(openapi)

BOOST_AUTO_TEST_CASE(the_scanner_reads_paths_by_indentation) {
    // CRLF, comments, quoted keys, block scalars with key-like lines, path-level
    // parameters, extensions and a section after `paths:`.
    std::string const sample =
        "openapi: 3.1.0\r\n"
        "info:\r\n"
        "  description: |\r\n"
        "    paths:\r\n"
        "      /fake:\r\n"
        "        get:\r\n"
        "paths:   # the operations\r\n"
        "\r\n"
        "  # a comment at path level\r\n"
        "  /a:\r\n"
        "    parameters:\r\n"
        "      - name: x\r\n"
        "    description: |\r\n"
        "      post: not a method\r\n"
        "    get:\r\n"
        "      responses:\r\n"
        "        '200':\r\n"
        "          description: ok\r\n"
        "    'delete':\r\n"
        "      summary: 'put: no'\r\n"
        "  '/a/{id}':\r\n"
        "    patch: {}\r\n"
        "  x-extension:\r\n"
        "    get: {}\r\n"
        "components:\r\n"
        "  /b:\r\n"
        "    get: {}\r\n";
    std::vector<std::string> problems;
    auto ops = documented_operations(sample, problems);
    std::multiset<operation> const expected{{"GET", "/a"}, {"DELETE", "/a"}, {"PATCH", "/a/{id}"}};
    BOOST_TEST(problems.empty(), "unexpected problems: " << join(problems));
    BOOST_TEST((ops == expected), "found: " << describe(ops));

    problems.clear();
    documented_operations("paths:\n  /a:\n    get: {}\n  /a:\n    get: {}\n", problems);
    BOOST_TEST(problems.size() == 2u);  // the path and its method, twice
    problems.clear();
    documented_operations("openapi: 3.1.0\n", problems);
    BOOST_TEST(problems.size() == 1u);
}

BOOST_AUTO_TEST_CASE(documents_exactly_the_routes_the_mock_serves) {
    std::vector<std::string> problems;
    auto documented = documented_operations(read_file(openapi_path), problems);
    BOOST_TEST(problems.empty(), openapi_path << ": " << join(problems));

    std::set<operation> const documented_set(documented.begin(), documented.end());
    std::set<operation> const routed = routed_operations();

    std::vector<operation> missing, extra;
    std::set_difference(routed.begin(), routed.end(), documented_set.begin(), documented_set.end(),
                        std::back_inserter(missing));
    std::set_difference(documented_set.begin(), documented_set.end(), routed.begin(), routed.end(),
                        std::back_inserter(extra));
    BOOST_TEST(missing.empty(),
               "routed by the mock but missing from " << openapi_path << ": " << describe(missing));
    BOOST_TEST(extra.empty(),
               "in " << openapi_path << " but not routed by the mock: " << describe(extra));
}

BOOST_AUTO_TEST_CASE(documents_every_error_code_and_no_other) {
    std::string const text = read_file(openapi_path);
    for (auto const& e : aigallery::error_catalogue)
        BOOST_TEST(text.find(e.code) != std::string::npos, "error code "
                                                               << e.code << " (HTTP " << e.status
                                                               << ") is not in " << openapi_path);

    // The other way round: a code the document names must be in the catalogue.
    std::set<std::string> named;
    for (std::string_view prefix : {"ModelArts.", "APIG."}) {
        for (auto at = text.find(prefix); at != std::string::npos; at = text.find(prefix, at + 1)) {
            auto end = at + prefix.size();
            while (end < text.size() && std::isdigit(static_cast<unsigned char>(text[end])))
                ++end;
            if (end > at + prefix.size())
                named.insert(text.substr(at, end - at));  // else prose, not a code
        }
    }
    BOOST_TEST(named.size() >= aigallery::error_catalogue.size());
    for (auto const& code : named)
        BOOST_TEST(aigallery::errc_from_text(code).has_value(),
                   openapi_path << " names " << code << ", which is not in the error catalogue");
}

BOOST_AUTO_TEST_SUITE_END()
