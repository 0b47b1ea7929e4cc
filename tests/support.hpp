// Test support: a gallery reached through either transport, and small
// helpers to send a request and read its JSON answer.
#pragma once

#include <aigallery/beast_transport.hpp>
#include <aigallery/mock/in_process_transport.hpp>
#include <aigallery/mock/server.hpp>

#include <boost/json.hpp>
#include <boost/mp11/list.hpp>
#include <boost/test/unit_test.hpp>

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace test {

using aigallery::http_request;
using aigallery::http_response;
namespace http = boost::beast::http;
namespace json = boost::json;

/// The handler called directly: no socket.
struct in_process {
    static constexpr char const* name = "in_process";
    explicit in_process(aigallery::mock::server_options const& o)
        : service(o), transport(service) {}
    aigallery::mock::service service;
    aigallery::mock::in_process_transport transport;
    aigallery::mock::service& svc() { return service; }
};

/// A real server on a loopback port, reached with beast_transport.
struct loopback {
    static constexpr char const* name = "loopback";
    explicit loopback(aigallery::mock::server_options const& o)
        : server(o), transport(server.url()) {}
    aigallery::mock::server server;
    aigallery::beast_transport transport;
    aigallery::mock::service& svc() { return server.handler_service(); }
};

using both_transports = boost::mp11::mp_list<in_process, loopback>;

struct reply {
    int status = 0;
    json::value body;
    http_response raw;
    std::string header(std::string_view name) const {
        auto it = raw.find(name);
        return it == raw.end() ? std::string() : std::string(it->value());
    }
    std::string code() const {
        auto o = body.if_object();
        if (!o || !o->contains("error_code"))
            return {};
        return std::string(o->at("error_code").as_string());
    }
    json::object const& obj() const { return body.as_object(); }
    std::string str(std::string_view key) const { return std::string(body.at(key).as_string()); }
};

inline std::ostream& operator<<(std::ostream& os, reply const& r) {
    return os << r.status << " " << r.raw.body();
}

/// A gallery with a fixed clock and seed, and a few accounts.
template <class Via>
struct gallery {
    explicit gallery(aigallery::mock::server_options o = fixed()) : via(o) {}

    static aigallery::mock::server_options fixed() {
        aigallery::mock::server_options o;
        o.seed = 42;
        o.fixed_time =
            std::chrono::sys_seconds(std::chrono::seconds(1795642194));  // 2026-11-25T21:29:54Z
        return o;
    }

    aigallery::mock::account account(std::string const& name) {
        return via.svc().add_account(name);
    }

    reply send(http_request req) {
        req.prepare_payload();
        auto r = via.transport.send(req);
        BOOST_REQUIRE_MESSAGE(r.has_value(), "transport failed: " << r.error().message());
        reply out;
        out.raw = std::move(*r);
        out.status = static_cast<int>(out.raw.result_int());
        if (!out.raw.body().empty()) {
            boost::system::error_code ec;
            out.body = json::parse(out.raw.body(), ec);
        }
        return out;
    }

    boost::system::result<http_response> try_send(http_request req) {
        req.prepare_payload();
        return via.transport.send(req);
    }

    static http_request make(http::verb method, std::string target, std::string const& token,
                             std::optional<std::string> body = std::nullopt,
                             std::vector<std::pair<std::string, std::string>> headers = {}) {
        http_request req{method, target, 11};
        if (!token.empty())
            req.set("X-Auth-Token", token);
        if (body) {
            req.set(http::field::content_type, "application/json");
            req.body() = *body;
        }
        for (auto const& [k, v] : headers)
            req.set(k, v);
        return req;
    }

    reply call(http::verb method, std::string target, std::string const& token,
               std::optional<json::value> body = std::nullopt,
               std::vector<std::pair<std::string, std::string>> headers = {}) {
        std::optional<std::string> text;
        if (body)
            text = json::serialize(*body);
        return send(make(method, std::move(target), token, text, std::move(headers)));
    }

    // Shorthands for the common calls.
    reply publish(std::string const& token, json::object body) {
        return call(http::verb::post, "/v1/aihub/contents", token, json::value(std::move(body)));
    }
    reply publish_version(std::string const& token, std::string const& id, json::object body = {},
                          std::vector<std::pair<std::string, std::string>> headers = {}) {
        return call(http::verb::post, "/v1/aihub/contents/" + id + "/versions", token,
                    json::value(std::move(body)), std::move(headers));
    }
    reply get_content(std::string const& token, std::string const& id) {
        return call(http::verb::get, "/v1/aihub/contents/" + id, token);
    }
    reply get_version(std::string const& token, std::string const& id, std::string const& v) {
        return call(http::verb::get, "/v1/aihub/contents/" + id + "/versions/" + v, token);
    }
    reply set_visibility(std::string const& token, std::string const& id, std::string const& v,
                         json::object body) {
        return call(http::verb::put, "/v1/aihub/contents/" + id + "/versions/" + v + "/visibility",
                    token, json::value(std::move(body)));
    }
    reply whitelist(std::string const& token, std::string const& id, std::string const& v,
                    json::object body) {
        return call(http::verb::patch, "/v1/aihub/contents/" + id + "/versions/" + v + "/whitelist",
                    token, json::value(std::move(body)));
    }
    reply list(std::string const& token, std::string const& query = "") {
        return call(http::verb::get, "/v1/aihub/contents" + query, token);
    }

    /// Publishes and requires success; returns the content_id.
    std::string must_publish(std::string const& token, json::object body) {
        auto r = publish(token, std::move(body));
        BOOST_REQUIRE_MESSAGE(r.status == 201, r);
        return r.str("content_id");
    }

    Via via;
};

inline json::array users(std::initializer_list<std::string> ids) {
    json::array a;
    for (auto const& i : ids)
        a.emplace_back(i);
    return a;
}

inline json::array deps(std::initializer_list<std::pair<std::string, std::string>> d) {
    json::array a;
    for (auto const& [c, v] : d)
        a.emplace_back(json::object{{"content_id", c}, {"version_num", v}});
    return a;
}

}  // namespace test
