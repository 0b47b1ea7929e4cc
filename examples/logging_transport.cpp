// A user-defined transport: wraps beast_transport and logs each request and
// its answer. Anything with `send(http_request const&)` returning
// `boost::system::result<http_response>` can carry the client.
#include <aigallery/aigallery.hpp>
#include <aigallery/mock/server.hpp>

#include <chrono>
#include <iostream>

class logging_transport {
public:
    explicit logging_transport(aigallery::beast_transport inner, std::ostream& log = std::clog)
        : inner_(std::move(inner)), log_(&log) {}

    boost::system::result<aigallery::http_response> send(aigallery::http_request const& req) {
        auto start = std::chrono::steady_clock::now();
        auto r = inner_.send(req);
        auto us = std::chrono::duration_cast<std::chrono::microseconds>(
            std::chrono::steady_clock::now() - start);
        *log_ << req.method_string() << " " << req.target() << " -> ";
        if (r)
            *log_ << r->result_int() << " (" << us.count() << " us)\n";
        else
            *log_ << "no answer: " << r.error().message() << "\n";
        return r;
    }

private:
    aigallery::beast_transport inner_;
    std::ostream* log_;
};

static_assert(aigallery::transport<logging_transport>);

int main() {
    aigallery::mock::server gallery;
    auto alice = gallery.add_account("alice");
    aigallery::basic_client<logging_transport> client{
        logging_transport{aigallery::beast_transport{gallery.url()}, std::cout}, alice.token};
    aigallery::workflow wf{.name = "logged"};
    wf.steps.push_back(
        {.name = "step", .algorithm = aigallery::local_algorithm{.id = "local-1", .name = "algo"}});
    auto r = client.release_to_gallery(wf);
    std::cout << "released " << r.content_id << " " << r.version_num << "\n";
    return r.version_num == aigallery::version_number(1, 0, 0) ? 0 : 1;
}
