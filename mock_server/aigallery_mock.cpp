// aigallery-mock: the mock AI Gallery as a standalone process, for clients in
// other languages and for trying the API with curl.
#include <aigallery/mock/server.hpp>
#include <aigallery/mock/tls_server.hpp>

#include <boost/json/parse.hpp>

#include <pthread.h>
#if defined(__GLIBC__)
#include <malloc.h>
#endif
#include <signal.h>

#include <charconv>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <exception>
#include <fstream>
#include <iostream>
#include <limits>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

namespace {

constexpr int exit_usage = 2;

constexpr std::string_view usage = R"(usage: aigallery-mock [options]

Serves the mock AI Gallery over HTTP (HTTPS with --tls-cert) until SIGINT or SIGTERM.

  --host H             address to listen on (default 127.0.0.1)
  --port N             port to listen on (default 0: a free port, printed)
  --account NAME       create an account at start and print its token (repeatable)
  --state FILE         keep the state in FILE, durably: every change is in FILE.log,
                       fsync'd, before it is answered; the log is folded into FILE
                       at start, on exit and on POST /__mock/state/save. FILE must
                       be writable, and no other process may be using it
  --threads N          serving threads (default 1)
  --seed N             seed for ids and tokens, for reproducible runs
  --control-token T    require T in X-Mock-Control-Token on /__mock (and then
                       answer peers that are not on loopback)
  --journal-entries N  keep the last N /v1 requests in the journal (default 10000;
                       0 turns the journal off)
  --journal-bytes N    ...and at most N bytes of them (default 67108864)
  --journal-body-bytes N
                       cut longer bodies in the journal (default 65536)
  --record-states      keep the state before each request, for GET /__mock/pact
  --tls-cert FILE      serve HTTPS with this PEM certificate chain (needs --tls-key)
  --tls-key FILE       the PEM private key of --tls-cert
  --version            print the version and exit
  --idle-timeout S     close a kept-alive connection idle for S seconds (default 15)
  --header-timeout S   close a connection whose request header takes longer than
                       S seconds from its first byte (default 10)
  --request-timeout S  close a connection whose request and answer take longer than
                       S seconds, not counting injected delays (default 30)
  --max-connections N  open connections at most; more are answered 503 and closed
                       (default 1000, never above the descriptor limit minus 64)
  --max-state-body B   largest PUT /__mock/state body in bytes (default 67108864);
                       every other body is limited to 1048576
  --help               this text

Prints "loaded N account(s) from FILE" when --state had any, then
"account NAME domain_id=... access_key=... token=..." for each account loaded
or given with --account (GET /__mock/accounts also has the secret key), then
"listening on http://HOST:PORT" (https with --tls-cert) once it accepts
connections. The "My Assets" page is at http://HOST:PORT/ui/.
)";

struct usage_error {
    std::string message;
};

struct command_line {
    aigallery::mock::server_options options;
    std::vector<std::string> accounts;
    std::string state_file;
    bool help = false;
    bool version = false;
};

/// Seconds, possibly fractional ("0.5"), from 1 ms to one day.
std::chrono::milliseconds parse_seconds(std::string_view option, std::string_view text) {
    double seconds = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), seconds);
    if (text.empty() || ec != std::errc{} || end != text.data() + text.size() ||
        !(seconds >= 0.001 && seconds <= 86400)) {
        throw usage_error{std::string(option) + ": expected seconds from 0.001 to 86400, got '" +
                          std::string(text) + "'"};
    }
    return std::chrono::milliseconds(static_cast<std::int64_t>(seconds * 1000 + 0.5));
}

template <class Int>
Int parse_number(std::string_view option, std::string_view text, Int min, Int max) {
    std::uint64_t value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (text.empty() || ec != std::errc{} || end != text.data() + text.size() || value < min ||
        value > max) {
        throw usage_error{std::string(option) + ": expected a number from " + std::to_string(min) +
                          " to " + std::to_string(max) + ", got '" + std::string(text) + "'"};
    }
    return static_cast<Int>(value);
}

command_line parse_command_line(int argc, char** argv) {
    command_line cl;
    std::vector<std::string_view> args(argv + 1, argv + argc);
    for (std::size_t i = 0; i < args.size(); ++i) {
        std::string_view name = args[i];
        std::optional<std::string_view> inline_value;
        if (auto eq = name.find('='); name.starts_with("--") && eq != std::string_view::npos) {
            inline_value = name.substr(eq + 1);
            name = name.substr(0, eq);
        }
        auto value = [&]() -> std::string_view {
            if (inline_value)
                return *inline_value;
            if (i + 1 >= args.size())
                throw usage_error{std::string(name) + ": missing value"};
            return args[++i];
        };

        if (name == "--help" || name == "-h") {
            cl.help = true;
        } else if (name == "--version") {
            cl.version = true;
        } else if (name == "--host") {
            cl.options.host = value();
            if (cl.options.host.empty())
                throw usage_error{"--host: empty"};
        } else if (name == "--port") {
            cl.options.port = parse_number<unsigned short>(name, value(), 0, 65535);
        } else if (name == "--account") {
            std::string account(value());
            if (account.empty())
                throw usage_error{"--account: empty name"};
            cl.accounts.push_back(std::move(account));
        } else if (name == "--state") {
            cl.state_file = value();
            if (cl.state_file.empty())
                throw usage_error{"--state: empty file name"};
        } else if (name == "--threads") {
            cl.options.threads = parse_number<unsigned>(name, value(), 1, 256);
        } else if (name == "--seed") {
            cl.options.seed = parse_number<std::uint64_t>(
                name, value(), 0, std::numeric_limits<std::uint64_t>::max());
        } else if (name == "--journal-entries") {
            cl.options.journal_max_entries =
                parse_number<std::size_t>(name, value(), 0, std::size_t(1) << 32);
        } else if (name == "--journal-bytes") {
            cl.options.journal_max_bytes =
                parse_number<std::size_t>(name, value(), 1, std::size_t(1) << 40);
        } else if (name == "--journal-body-bytes") {
            cl.options.journal_max_body_bytes =
                parse_number<std::size_t>(name, value(), 0, std::size_t(1) << 30);
        } else if (name == "--record-states") {
            cl.options.record_provider_states = true;
        } else if (name == "--control-token") {
            cl.options.control_token = value();
        } else if (name == "--idle-timeout") {
            cl.options.idle_timeout = parse_seconds(name, value());
        } else if (name == "--header-timeout") {
            cl.options.header_timeout = parse_seconds(name, value());
        } else if (name == "--request-timeout") {
            cl.options.request_timeout = parse_seconds(name, value());
        } else if (name == "--max-connections") {
            cl.options.max_connections = parse_number<std::size_t>(name, value(), 1, 1000000);
        } else if (name == "--max-state-body") {
            cl.options.state_body_limit =
                parse_number<std::uint64_t>(name, value(), 1024, std::uint64_t(1) << 32);
        } else if (name == "--tls-cert") {
            cl.options.tls_cert_file = value();
            if (cl.options.tls_cert_file.empty())
                throw usage_error{"--tls-cert: empty file name"};
        } else if (name == "--tls-key") {
            cl.options.tls_key_file = value();
            if (cl.options.tls_key_file.empty())
                throw usage_error{"--tls-key: empty file name"};
        } else {
            throw usage_error{"unknown option '" + std::string(args[i]) + "'"};
        }
    }
    if (cl.options.tls_cert_file.empty() != cl.options.tls_key_file.empty())
        throw usage_error{"--tls-cert and --tls-key go together"};
    cl.options.state_file = cl.state_file;
    cl.options.load_state = true;  // before the server accepts a connection
    cl.options.durable = true;     // an answered change survives kill -9
    return cl;
}

}  // namespace

int main(int argc, char** argv) {
#if defined(__GLIBC__)
    // glibc gives the top of a heap back to the system as soon as 128 KiB are
    // free there, so a server whose requests allocate and free a little each
    // shrinks and regrows its serving thread's heap all the time (a system
    // call and page faults per cycle). Keep up to 32 MiB: the journal's
    // clear() still returns what it frees at once, with malloc_trim().
    ::mallopt(M_TRIM_THRESHOLD, 32 << 20);
    ::mallopt(M_TOP_PAD, 1 << 20);
#endif
    command_line cl;
    try {
        cl = parse_command_line(argc, argv);
    } catch (usage_error const& e) {
        std::cerr << "aigallery-mock: " << e.message << "\n(see --help)\n";
        return exit_usage;
    }
    if (cl.help) {
        std::cout << usage;
        return 0;
    }
    if (cl.version) {
        std::cout << "aigallery-mock " << AIGALLERY_VERSION << "\n";
        return 0;
    }

#if defined(__GLIBC__)
    // One serving thread: let it use the main heap, which grows by M_TOP_PAD
    // at a time, instead of a thread arena, which grows a page per system call.
    if (cl.options.threads <= 1)
        ::mallopt(M_ARENA_MAX, 1);
#endif

    // Blocked before the server's threads exist, so that they inherit the
    // mask and only sigwait() below sees these signals.
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGINT);
    sigaddset(&signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &signals, nullptr);

    try {
        std::unique_ptr<aigallery::mock::server> serving;
        if (cl.options.tls_cert_file.empty())
            serving = std::make_unique<aigallery::mock::server>(cl.options);
        else
            serving = std::make_unique<aigallery::mock::tls_server>(cl.options);
        aigallery::mock::server& gallery = *serving;
        auto const& service = gallery.handler_service();
        if (service.dropped_log_bytes() != 0)
            std::cerr << "aigallery-mock: dropped a torn last record ("
                      << service.dropped_log_bytes() << " bytes) from " << cl.state_file
                      << ".log\n";
        if (service.replayed_log_records() != 0)
            std::cerr << "aigallery-mock: replayed " << service.replayed_log_records()
                      << " changes from " << cl.state_file << ".log\n";

        // A restart from --state shows the accounts it brought back, so their
        // tokens need not be dug out of the state file.
        auto print = [](aigallery::mock::account const& a) {
            // The secret key is not printed: GET /__mock/accounts has it.
            std::cout << "account " << a.name << " domain_id=" << a.domain_id
                      << " access_key=" << a.access_key << " token=" << a.token << "\n";
        };
        auto loaded = gallery.accounts();
        if (!loaded.empty())
            std::cout << "loaded " << loaded.size() << " account(s) from " << cl.state_file << "\n";
        for (auto const& a : loaded)
            print(a);
        for (auto const& name : cl.accounts) {
            bool known = false;
            for (auto const& a : loaded)
                known = known || a.name == name;
            if (!known)
                print(gallery.add_account(name));
        }
        std::cout << "listening on " << gallery.url() << std::endl;

        int signal = 0;
        sigwait(&signals, &signal);

        // Stopped first, so that the saved state has every request carried out.
        gallery.stop();
        int status = 0;
        if (!cl.state_file.empty()) {
            try {
                gallery.handler_service().save_state();
            } catch (std::exception const& e) {
                std::cerr << "aigallery-mock: cannot save state to " << cl.state_file << ": "
                          << e.what() << "\n";
                status = 1;
            }
        }
        return status;
    } catch (std::exception const& e) {
        std::cerr << "aigallery-mock: " << e.what() << "\n";
        return 1;
    }
}
