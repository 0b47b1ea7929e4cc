// The journal as an HTTP Archive (HAR 1.2), the format browsers' developer
// tools and HTTP debugging proxies read: GET /__mock/journal?format=har.
#pragma once

#include <aigallery/mock/journal.hpp>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/url/parse.hpp>

#include <string>
#include <vector>

namespace aigallery::mock {

namespace contract_detail {

inline std::string reason_phrase(int status) {
    switch (status) {
        case 200:
            return "OK";
        case 201:
            return "Created";
        case 204:
            return "No Content";
        case 400:
            return "Bad Request";
        case 401:
            return "Unauthorized";
        case 403:
            return "Forbidden";
        case 404:
            return "Not Found";
        case 405:
            return "Method Not Allowed";
        case 409:
            return "Conflict";
        case 412:
            return "Precondition Failed";
        case 413:
            return "Payload Too Large";
        case 415:
            return "Unsupported Media Type";
        case 429:
            return "Too Many Requests";
        case 500:
            return "Internal Server Error";
        case 502:
            return "Bad Gateway";
        case 503:
            return "Service Unavailable";
        case 504:
            return "Gateway Timeout";
        default:
            return "";
    }
}

}  // namespace contract_detail

/// A HAR 1.2 document of the given entries. `base_url` makes the absolute
/// URLs HAR requires when a request had no Host header (e.g. "http://127.0.0.1").
/// Secrets were redacted when the entries were captured; a cut body says so
/// in its entry's comment.
inline boost::json::object to_har(std::vector<journal_record> const& entries,
                                  std::string const& base_url, std::string const& creator_version) {
    auto headers_of = [](journal_message const& m) {
        boost::json::array a;
        for (auto& h : m.headers())
            a.push_back(
                boost::json::object{{"name", json_safe(h.name)}, {"value", json_safe(h.value)}});
        return a;
    };
    boost::json::array out;
    for (auto const& r : entries) {
        auto host = r.request.header("Host");
        std::string url = json_safe((host ? "http://" + *host : base_url) + r.target);
        boost::json::array query;
        if (auto u = boost::urls::parse_origin_form(r.target))
            for (auto p : u->params())
                query.push_back(boost::json::object{
                    {"name", json_safe(p.key)}, {"value", json_safe(p.has_value ? p.value : "")}});
        boost::json::object request{{"method", r.method},
                                    {"url", url},
                                    {"httpVersion", "HTTP/1.1"},
                                    {"cookies", boost::json::array{}},
                                    {"headers", headers_of(r.request)},
                                    {"queryString", std::move(query)},
                                    {"headersSize", -1},
                                    {"bodySize", r.request.body_size}};
        if (r.request.body) {
            request["postData"] = boost::json::object{
                {"mimeType", json_safe(r.request.header("Content-Type").value_or(""))},
                {"params", boost::json::array{}},
                {"text", json_safe(r.request.body_text())}};
        }
        boost::json::object content{
            {"size", r.response.body_size},
            {"mimeType", json_safe(r.response.header("Content-Type").value_or(""))}};
        if (r.response.body)
            content["text"] = json_safe(r.response.body_text());
        boost::json::object response{
            {"status", r.status},
            {"statusText", contract_detail::reason_phrase(r.status)},
            {"httpVersion", "HTTP/1.1"},
            {"cookies", boost::json::array{}},
            {"headers", headers_of(r.response)},
            {"content", std::move(content)},
            {"redirectURL", json_safe(r.response.header("Location").value_or(""))},
            {"headersSize", -1},
            {"bodySize", r.status == 0 ? -1 : static_cast<std::int64_t>(r.response.body_size)}};
        double ms = static_cast<double>(r.duration.count()) / 1000.0;
        std::string comment = "request " + r.request_id;
        if (!r.fault.empty())
            comment += "; answered by an injected '" + r.fault + "' fault";
        if (r.status == 0)
            comment += "; the connection was dropped without an answer";
        if (r.request.body_truncated || r.response.body_truncated)
            comment += "; a body was cut to the journal's max_body_bytes";
        out.push_back(boost::json::object{
            {"startedDateTime", format_rfc3339_ms(r.started_at)},
            {"time", ms},
            {"request", std::move(request)},
            {"response", std::move(response)},
            {"cache", boost::json::object{}},
            {"timings", boost::json::object{{"send", 0}, {"wait", ms}, {"receive", 0}}},
            {"comment", comment}});
    }
    return {
        {"log", boost::json::object{{"version", "1.2"},
                                    {"creator", boost::json::object{{"name", "aigallery-mock"},
                                                                    {"version", creator_version}}},
                                    {"entries", std::move(out)}}}};
}

}  // namespace aigallery::mock
