// WORKFLOW.json, the file `aigallery release` publishes, read into an
// aigallery::workflow. Strict like the gallery: an unknown field, a wrong
// type or a missing name is refused with the field's path, so a typo never
// publishes something other than what the file says.
#pragma once

#include <aigallery/detail/strict_json.hpp>
#include <aigallery/error.hpp>
#include <aigallery/version.hpp>
#include <aigallery/workflow.hpp>

#include <boost/json.hpp>

#include <fstream>
#include <initializer_list>
#include <iterator>
#include <stdexcept>
#include <string>
#include <string_view>

namespace aigallery::cli {

/// A workflow file that cannot be read or does not describe a workflow; the
/// message starts with the field path (`steps[1].algorithm.id: ...`).
struct workflow_file_error : std::runtime_error {
    using std::runtime_error::runtime_error;
};

namespace detail {

inline void only_fields(boost::json::object const& o, std::string const& path,
                        std::initializer_list<std::string_view> known) {
    for (auto const& [key, _] : o) {
        bool ok = false;
        for (auto k : known)
            ok = ok || key == k;
        if (!ok)
            throw workflow_file_error(path + (path.empty() ? "" : ".") + std::string(key) +
                                      ": unknown field");
    }
}

inline std::string text(boost::json::object const& o, std::string const& path, std::string_view key,
                        bool required) {
    auto const* v = o.if_contains(key);
    std::string where = path + (path.empty() ? "" : ".") + std::string(key);
    if (!v) {
        if (required)
            throw workflow_file_error(where + ": missing");
        return {};
    }
    if (!v->is_string())
        throw workflow_file_error(where + ": must be a string");
    std::string s(v->as_string());
    if (required && s.empty())
        throw workflow_file_error(where + ": must not be empty");
    return s;
}

inline boost::json::object const& object_at(boost::json::value const& v, std::string const& where) {
    if (!v.is_object())
        throw workflow_file_error(where + ": must be an object");
    return v.as_object();
}

}  // namespace detail

/// The workflow a WORKFLOW.json document describes:
/// `{"name", "desc"?, "steps": [{"name", "algorithm": A}]}` where A is a
/// local algorithm `{"id", "name", "desc"?, "definition"?}` or a gallery
/// algorithm version `{"content_id", "version_num"}`.
inline workflow parse_workflow(boost::json::value const& doc) {
    using detail::object_at;
    using detail::text;
    auto const& root = object_at(doc, "(document)");
    detail::only_fields(root, "", {"name", "desc", "steps"});
    workflow wf;
    wf.name = text(root, "", "name", true);
    wf.desc = text(root, "", "desc", false);
    auto const* steps = root.if_contains("steps");
    if (!steps)
        throw workflow_file_error("steps: missing (use [] for a workflow with no steps)");
    if (!steps->is_array())
        throw workflow_file_error("steps: must be an array");
    std::size_t i = 0;
    for (auto const& s : steps->as_array()) {
        std::string path = "steps[" + std::to_string(i++) + "]";
        auto const& step = object_at(s, path);
        detail::only_fields(step, path, {"name", "algorithm"});
        workflow_step ws;
        ws.name = text(step, path, "name", true);
        auto const* a = step.if_contains("algorithm");
        if (!a)
            throw workflow_file_error(path + ".algorithm: missing");
        std::string apath = path + ".algorithm";
        auto const& algo = object_at(*a, apath);
        if (algo.contains("content_id") || algo.contains("version_num")) {
            detail::only_fields(algo, apath, {"content_id", "version_num"});
            gallery_algorithm g;
            g.content_id = text(algo, apath, "content_id", true);
            auto v = text(algo, apath, "version_num", true);
            auto parsed = version_number::parse(v);
            if (!parsed)
                throw workflow_file_error(apath + ".version_num: '" + printable(v) +
                                          "' is not a version x.y.z");
            g.version_num = *parsed;
            ws.algorithm = g;
        } else if (algo.contains("id")) {
            detail::only_fields(algo, apath, {"id", "name", "desc", "definition"});
            local_algorithm l;
            l.id = text(algo, apath, "id", true);
            l.name = text(algo, apath, "name", true);
            l.desc = text(algo, apath, "desc", false);
            if (auto const* d = algo.if_contains("definition"))
                l.definition = object_at(*d, apath + ".definition");
            ws.algorithm = l;
        } else {
            throw workflow_file_error(apath +
                                      ": needs \"id\" and \"name\" (a local algorithm) or "
                                      "\"content_id\" and \"version_num\" (a gallery algorithm)");
        }
        wf.steps.push_back(std::move(ws));
    }
    return wf;
}

/// Reads and parses `path`; errors name the file.
inline workflow read_workflow_file(std::string const& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw workflow_file_error(path + ": cannot be read");
    std::string body((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    try {
        return parse_workflow(aigallery::detail::parse_strict(body));
    } catch (workflow_file_error const& e) {
        throw workflow_file_error(path + ": " + e.what());
    } catch (gallery_error const& e) {  // the strict parser's syntax errors
        throw workflow_file_error(path + ": " + e.error_msg());
    }
}

}  // namespace aigallery::cli
