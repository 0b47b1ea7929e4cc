// libFuzzer target: the whole mock gallery without a socket (mock::service,
// no coroutines). An input is up to 16 requests separated by a line
// "=====": a request line "METHOD TARGET", header lines, an empty line, the
// body. "$A"/"$B" stand for the tokens of the accounts alice and bob,
// "$a"/"$b" for their domain_ids, "$0".."$9" for the content_ids created so
// far, so that inputs reach past authentication and into existing assets.
//
// Properties: handle() never throws and never answers an unexpected 500
// ("internal error"); every answer has an X-Request-Id and a JSON body or
// none; whatever the requests did, the state exports to a document that a
// fresh service imports back unchanged.
#include <aigallery/mock/service.hpp>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

namespace {

namespace http = boost::beast::http;

[[noreturn]] void finding(std::string_view what, aigallery::http_request const& req,
                          aigallery::http_response const& res) {
    std::fprintf(stderr, "service_fuzz: %.*s\nrequest: %s %s\nanswer: %u %s\n", int(what.size()),
                 what.data(), std::string(req.method_string()).c_str(),
                 std::string(req.target()).c_str(), res.result_int(), res.body().c_str());
    std::abort();
}

aigallery::mock::server_options options() {
    aigallery::mock::server_options o;
    o.seed = 1;
    o.fixed_time = std::chrono::sys_seconds(std::chrono::seconds(1795642194));
    return o;
}

void replace_all(std::string& s, std::string_view from, std::string const& to) {
    for (auto at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size()))
        s.replace(at, from.size(), to);
}

aigallery::http_request to_request(std::string text) {
    aigallery::http_request req;
    req.version(11);
    auto line_end = text.find('\n');
    std::string first = text.substr(0, line_end);
    text = line_end == std::string::npos ? std::string() : text.substr(line_end + 1);
    auto space = first.find(' ');
    std::string method = first.substr(0, space);
    std::string target = space == std::string::npos ? "/" : first.substr(space + 1);
    if (method.empty())
        method = "GET";
    auto verb = http::string_to_verb(method);
    if (verb == http::verb::unknown)
        req.method_string(method);
    else
        req.method(verb);
    req.target(target);
    // Headers until an empty line; Beast refuses some names and values, as its parser would.
    while (!text.empty()) {
        line_end = text.find('\n');
        std::string line = text.substr(0, line_end);
        text = line_end == std::string::npos ? std::string() : text.substr(line_end + 1);
        if (line.empty())
            break;
        auto colon = line.find(':');
        if (colon == std::string::npos || colon == 0)
            continue;
        std::string value = line.substr(colon + 1);
        while (!value.empty() && value.front() == ' ')
            value.erase(0, 1);
        try {
            req.insert(line.substr(0, colon), value);
        } catch (std::exception const&) {
            // an invalid field name or value: a real parser would not have let it through
        }
    }
    req.body() = text;
    req.prepare_payload();
    return req;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size) {
    if (size > 64 * 1024)
        return 0;
    std::string input(reinterpret_cast<char const*>(data), size);
    aigallery::mock::service svc(options());
    auto alice = svc.add_account("alice");
    auto bob = svc.add_account("bob");
    std::vector<std::string> created;

    std::size_t start = 0;
    for (int n = 0; n < 16 && start <= input.size(); ++n) {
        auto sep = input.find("\n=====\n", start);
        std::string text =
            input.substr(start, sep == std::string::npos ? std::string::npos : sep - start);
        start = sep == std::string::npos ? input.size() + 1 : sep + 7;

        replace_all(text, "$A", alice.token);
        replace_all(text, "$B", bob.token);
        replace_all(text, "$a", alice.domain_id);
        replace_all(text, "$b", bob.domain_id);
        for (std::size_t i = 0; i < 10; ++i)
            replace_all(text, "$" + std::to_string(i), i < created.size() ? created[i] : "none");

        auto req = to_request(std::move(text));
        svc.take_delay(req);  // what the server does first; nobody waits here
        auto out = svc.handle(req);
        auto const& res = out.response;
        if (res.result_int() < 200 || res.result_int() > 599)
            finding("status out of range", req, res);
        if (res["X-Request-Id"].empty())
            finding("no X-Request-Id", req, res);
        if (!res.body().empty()) {
            boost::system::error_code ec;
            auto body = boost::json::parse(res.body(), ec);
            if (ec)
                finding("the body is not JSON", req, res);
            if (res.result_int() == 500 && res.body().find("internal error") != std::string::npos)
                finding("an exception nobody meant to throw", req, res);
            if (res.result_int() == 201 && body.is_object())
                if (auto const* id = body.as_object().if_contains("content_id"))
                    if (id->is_string())
                        created.emplace_back(id->as_string());
        }
    }

    // Whatever happened, the state is a document that imports back as it was.
    auto exported = svc.export_state();
    aigallery::mock::service fresh(options());
    fresh.import_state(boost::json::parse(boost::json::serialize(exported)));
    if (fresh.export_state() != exported)
        std::abort();
    return 0;
}
