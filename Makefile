# The portal's Makefile: plain make, sources listed explicitly.
# Targets: all run test unit integ browser check bench asan valgrind hdr-check install clean deps

PREFIX  ?= /usr/local
DESTDIR ?=
CC      ?= cc
BUILD   := build

PKGS    := libmicrohttpd libsodium libpq libcurl libmagic libmarkdown cairo libqrencode
WARN    := -Wall -Wextra -Wstrict-prototypes -Wmissing-prototypes -Wmissing-declarations \
           -Wshadow -Wpointer-arith -Wcast-qual -Wsign-compare -Wformat-security
ifeq ($(DEVELOPER),1)
WARN    += -Werror
endif
SAN     ?=
CFLAGS  ?= -O2 -g
CFLAGS  += -std=c11 $(WARN) $(SAN) -Iportal
LDFLAGS += $(SAN)

# The core: infrastructure every feature uses (portal/).
CORE_SRC := \
	portal/arena.c portal/buf.c portal/log.c portal/html.c portal/tmpl.c \
	portal/config.c portal/valid.c portal/json.c portal/mime.c portal/router.c \
	portal/db.c portal/batch.c portal/http.c portal/request.c portal/response.c portal/metrics.c portal/token.c \
	portal/role.c portal/session.c portal/password.c portal/mail.c portal/mail_db.c portal/migrate.c \
	portal/static.c portal/account_db.c portal/account.c portal/org_db.c portal/org.c \
	portal/admin.c portal/site.c portal/seed.c portal/ratelimit.c portal/md.c portal/csv.c portal/sign.c portal/blob.c portal/ical.c portal/publication.c portal/chart.c portal/pdf.c

# The LMS (courses/): it depends on the core, never the other way round.
COURSES_SRC := courses/course.c courses/course_edit.c courses/course_db.c courses/course_cache.c courses/video.c courses/seed.c \
	courses/cohort.c courses/cohort_db.c courses/progress.c courses/progress_db.c \
	courses/enrol.c courses/enrol_db.c courses/grade.c courses/quiz.c courses/quiz_db.c courses/quiz_keys.c courses/quiz_edit.c courses/certificate.c courses/certificate_db.c courses/certificate_manage.c courses/certificate_level.c courses/certificate_pdf.c \
	courses/feedback.c courses/feedback_db.c courses/feedback_stats.c courses/feedback_dashboard.c courses/feedback_report.c

# The community (content/): documents, the communication kit; depends on the core only.
CONTENT_SRC := content/content.c content/document.c content/document_db.c content/document_text.c \
	content/newsletter.c content/newsletter_db.c content/campaign.c content/campaign_db.c \
	content/news.c content/news_db.c content/event.c content/event_db.c content/event_sheet.c \
	content/sla.c content/ticket.c content/ticket_db.c \
	content/faq.c content/faq_db.c content/helpdesk_stats.c content/course_modules.c

CORE_OBJ := $(CORE_SRC:%.c=$(BUILD)/obj/%.o)
COURSES_OBJ := $(COURSES_SRC:%.c=$(BUILD)/obj/%.o)
CONTENT_OBJ := $(CONTENT_SRC:%.c=$(BUILD)/obj/%.o)
MAIN_OBJ := $(BUILD)/obj/portal/main.o

UNIT_TESTS := buf arena router html tmpl config valid json mime token role md video ical csv session grade sign certificate_pdf document_text event_sheet chart sla pdf

all: $(BUILD)/portal assets

# Served assets: the portal's own files plus the parts of Bootstrap Italia
# the pages use, copied from node_modules (installed by scripts/deps.sh),
# and the communication kit's default files, made from assets/kit/ by
# scripts/kit.sh into assets/kit/ of the build (the seed loads them).
BI := node_modules/bootstrap-italia/dist
ASSETS_SRC := $(shell find assets -type f 2>/dev/null)
$(BUILD)/assets/.stamp: $(ASSETS_SRC) scripts/kit.sh $(BI)/css/bootstrap-italia.min.css
	@echo "  ASSETS  $(BUILD)/assets"
	@rm -rf $(BUILD)/assets && mkdir -p $(BUILD)/assets/css $(BUILD)/assets/js $(BUILD)/assets/svg \
		$(BUILD)/assets/fonts/Titillium_Web
	@cp -R assets/. $(BUILD)/assets/
	@cp $(BI)/css/bootstrap-italia.min.css $(BUILD)/assets/css/
	@cp $(BI)/js/bootstrap-italia.bundle.min.js $(BUILD)/assets/js/
	@cp $(BI)/svg/sprites.svg $(BUILD)/assets/svg/
	@cp $(BI)/fonts/Titillium_Web/*.woff2 $(BUILD)/assets/fonts/Titillium_Web/
	@rm -rf $(BUILD)/assets/kit && scripts/kit.sh $(BUILD)/assets/kit >/dev/null
	@touch $@

assets: $(BUILD)/assets/.stamp

$(BUILD)/portal: $(CORE_OBJ) $(COURSES_OBJ) $(CONTENT_OBJ) $(MAIN_OBJ)
	@echo "  LD      $@"
	@$(CC) $^ -o $@ $(LDFLAGS) -pthread $(shell pkg-config --libs $(PKGS)) -lm

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(CC) $(CFLAGS) $(shell pkg-config --cflags $(PKGS) 2>/dev/null) -MMD -MP -c $< -o $@

# A test includes its module's .c file, so that object is left out of the link.
$(BUILD)/unit/test_%: tests/unit/test_%.c $(CORE_OBJ) $(COURSES_OBJ) $(CONTENT_OBJ)
	@mkdir -p $(dir $@)
	@echo "  LINK    $@"
	@$(CC) $(CFLAGS) $(shell pkg-config --cflags $(PKGS) 2>/dev/null) -Itests/unit $< $(filter-out $(BUILD)/obj/portal/$*.o $(BUILD)/obj/courses/$*.o $(BUILD)/obj/content/$*.o,$(filter %.o,$^)) -o $@ \
		$(LDFLAGS) -pthread $(shell pkg-config --libs cmocka $(PKGS)) -lm

unit-bins: $(UNIT_TESTS:%=$(BUILD)/unit/test_%)

# --- the two commands of the README -----------------------------------

# Installs what is missing, builds, starts a private PostgreSQL under var/,
# migrates, seeds the demo once and serves on http://127.0.0.1:8080.
run:
	@scripts/deps.sh
	@$(MAKE) --no-print-directory all
	@scripts/run.sh

# Every test (unit, integration, browser) on a sanitizer build; the last
# line is "N passed, N failed".
test:
	@scripts/test.sh

# --- the parts, for development -----------------------------------------

deps:
	@scripts/deps.sh --test

unit: unit-bins
	@scripts/run-unit.sh $(UNIT_TESTS:%=$(BUILD)/unit/test_%)

integ: all
	node --test tests/integration/

browser: all
	node --test tests/browser/

# What gates a merge: a warning-free build and the whole suite.
check:
	@$(MAKE) --no-print-directory DEVELOPER=1 all
	@$(MAKE) --no-print-directory hdr-check
	@scripts/test.sh

asan:
	@$(MAKE) --no-print-directory BUILD=build/asan SAN="-fsanitize=address,undefined -fno-omit-frame-pointer" all unit

valgrind: unit-bins
	@UNIT_RUNNER="valgrind -q --error-exitcode=99 --leak-check=full" \
		scripts/run-unit.sh $(UNIT_TESTS:%=$(BUILD)/unit/test_%)

bench:
	@scripts/deps.sh --bench
	@$(MAKE) --no-print-directory all $(BUILD)/bench/quizload $(BUILD)/bench/dlload
	@tests/bench/run.sh

# The load client of the bench's quiz scenario: it reuses the portal's
# JSON parser and token hashing, so it cannot drift from them.
QUIZLOAD_OBJ := $(addprefix $(BUILD)/obj/portal/,arena.o buf.o json.o log.o token.o valid.o)
$(BUILD)/bench/quizload: tests/bench/quizload.c $(QUIZLOAD_OBJ)
	@mkdir -p $(dir $@)
	@echo "  LINK    $@"
	@$(CC) $(CFLAGS) $(shell pkg-config --cflags libcurl libsodium) $< $(QUIZLOAD_OBJ) -o $@ \
		$(LDFLAGS) $(shell pkg-config --libs libcurl libsodium)

# The download client of the bench's scenario G (bodies dropped in the kernel).
$(BUILD)/bench/dlload: tests/bench/dlload.c portal/compat.h
	@mkdir -p $(dir $@)
	@echo "  LINK    $@"
	@$(CC) $(CFLAGS) $< -o $@ $(LDFLAGS) -pthread

# Every header compiles on its own (git's hdr-check).
hdr-check:
	@for h in portal/*.h courses/*.h content/*.h; do \
		echo '#include "'$$h'"' | \
		$(CC) $(CFLAGS) $(shell pkg-config --cflags $(PKGS)) -x c -fsyntax-only - || exit 1; \
	done; echo "  HDR     all headers compile alone"

# Coverage-guided fuzzing (clang's libFuzzer) of the parsers that read
# outside input; FUZZ_SECONDS each.  Findings land in build/fuzz/.
FUZZ_TARGETS := json form tmpl
FUZZ_SECONDS ?= 30
FUZZ_SRC := portal/arena.c portal/buf.c portal/log.c portal/json.c portal/valid.c \
	portal/html.c portal/tmpl.c

fuzz:
	@mkdir -p build/fuzz
	@for t in $(FUZZ_TARGETS); do \
		clang -g -O1 -std=c11 -Iportal -fsanitize=fuzzer,address,undefined \
			tests/fuzz/fuzz_$$t.c $(FUZZ_SRC) -o build/fuzz/fuzz_$$t || exit 1; \
		mkdir -p build/fuzz/corpus_$$t; \
		echo "  FUZZ    $$t ($(FUZZ_SECONDS) s)"; \
		(cd build/fuzz && ./fuzz_$$t -max_total_time=$(FUZZ_SECONDS) -max_len=4096 \
			corpus_$$t >fuzz_$$t.log 2>&1) || { tail -30 build/fuzz/fuzz_$$t.log; exit 1; }; \
		tail -1 build/fuzz/fuzz_$$t.log; \
	done

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/portal
	install -m 0755 $(BUILD)/portal $(DESTDIR)$(PREFIX)/bin/portal
	cp -R $(BUILD)/assets $(DESTDIR)$(PREFIX)/share/portal/assets
	for d in portal courses content; do \
		for sub in views sql; do \
			[ -d $$d/$$sub ] || continue; \
			install -d $(DESTDIR)$(PREFIX)/share/portal/$$d/$$sub; \
			cp $$d/$$sub/* $(DESTDIR)$(PREFIX)/share/portal/$$d/$$sub/; \
		done; \
	done
	install -m 0644 portal/openapi.json $(DESTDIR)$(PREFIX)/share/portal/portal/openapi.json
	install -d $(DESTDIR)$(PREFIX)/share/portal/courses
	cp -R courses/demo $(DESTDIR)$(PREFIX)/share/portal/courses/demo
	install -d $(DESTDIR)$(PREFIX)/share/portal/conf
	install -m 0644 conf/portal.conf $(DESTDIR)$(PREFIX)/share/portal/conf/portal.conf.example

clean:
	rm -rf build

.PHONY: all assets unit unit-bins run test deps integ browser check asan valgrind bench \
	hdr-check fuzz install clean

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
