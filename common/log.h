/* log: leveled log lines in redis-server's format
 * ("pid:role dd Mon yyyy hh:mm:ss.mmm * message"). */
#ifndef SHOAL_LOG_H
#define SHOAL_LOG_H

enum log_level { LOG_DEBUG, LOG_VERBOSE, LOG_NOTICE, LOG_WARNING };

/* role is one char as Redis prints it: M (shard), X (supervisor), S... */
void log_setup(char role, int level, const char *file);
void log_set_level(int level);
/* Name the process in every line (role and e.g. "shard 2"): set by the
 * supervisor in each child; log_setup keeps it. */
void log_set_tag(char role, const char *tag);
int log_level(void);
void log_msg(int level, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#define log_debug(...) log_msg(LOG_DEBUG, __VA_ARGS__)
#define log_verbose(...) log_msg(LOG_VERBOSE, __VA_ARGS__)
#define log_notice(...) log_msg(LOG_NOTICE, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_WARNING, __VA_ARGS__)

#endif
