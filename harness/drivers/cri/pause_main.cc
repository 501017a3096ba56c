// faultline-pause: the process that holds a cri pod sandbox's namespaces, the pause image's
// entrypoint. Linked statically: the image holds nothing else. It sleeps, reaps whatever is
// re-parented to it, and exits on SIGINT or SIGTERM (the sandbox being stopped).
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

namespace {

void Quit(int) {
  _exit(0);
}

void Reap(int) {
  while (waitpid(-1, nullptr, WNOHANG) > 0) {
  }
}

}  // namespace

int main() {
  struct sigaction quit = {};
  quit.sa_handler = Quit;
  sigaction(SIGINT, &quit, nullptr);
  sigaction(SIGTERM, &quit, nullptr);
  struct sigaction reap = {};
  reap.sa_handler = Reap;
  reap.sa_flags = SA_NOCLDSTOP | SA_RESTART;
  sigaction(SIGCHLD, &reap, nullptr);
  for (;;) pause();
}
