/* log: one log sink per process (stdout or a file). */
#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

/* Process-wide logging settings: set once at start, read by log_msg. */
static struct {
    char role;
    int level;
    const char *file;
    char tag[32]; /* "shard 2" under the supervisor; empty alone */
} logcfg = {'M', LOG_NOTICE, NULL, ""};

void log_setup(char role, int level, const char *file)
{
    logcfg.role = role;
    logcfg.level = level;
    logcfg.file = file != NULL && file[0] != '\0' ? file : NULL;
}

void log_set_tag(char role, const char *tag)
{
    logcfg.role = role;
    snprintf(logcfg.tag, sizeof(logcfg.tag), "%s", tag != NULL ? tag : "");
}

void log_set_level(int level)
{
    logcfg.level = level;
}

int log_level(void)
{
    return logcfg.level;
}

void log_msg(int level, const char *fmt, ...)
{
    static const char marks[] = ".-*#";
    char msg[1024], ts[64];
    struct timeval tv;
    struct tm tm;
    va_list ap;

    if (level < logcfg.level) {
        return;
    }
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    gettimeofday(&tv, NULL);
    localtime_r(&tv.tv_sec, &tm);
    size_t n = strftime(ts, sizeof(ts), "%d %b %Y %H:%M:%S.", &tm);
    snprintf(ts + n, sizeof(ts) - n, "%03d", (int)(tv.tv_usec / 1000));
    FILE *f = logcfg.file != NULL ? fopen(logcfg.file, "a") : stdout;
    if (f == NULL) {
        return;
    }
    if (logcfg.tag[0] != '\0') {
        fprintf(f, "%d:%c %s %c [%s] %s\n", (int)getpid(), logcfg.role, ts,
                marks[level], logcfg.tag, msg);
    } else {
        fprintf(f, "%d:%c %s %c %s\n", (int)getpid(), logcfg.role, ts,
                marks[level], msg);
    }
    fflush(f);
    if (f != stdout) {
        fclose(f);
    }
}
