# The portal's Makefile: plain make, sources listed explicitly.
# Targets: all run test unit integ browser check bench asan valgrind hdr-check install clean deps

PREFIX  ?= /usr/local
DESTDIR ?=
CC      ?= cc
BUILD   := build

PKGS    := libmicrohttpd libsodium libpq libcurl libmagic
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
	portal/db.c portal/http.c portal/request.c portal/metrics.c portal/token.c \
	portal/role.c portal/session.c portal/password.c portal/mail.c portal/migrate.c \
	portal/static.c portal/account_db.c portal/account.c portal/org_db.c \
	portal/admin.c portal/site.c portal/seed.c

CORE_OBJ := $(CORE_SRC:%.c=$(BUILD)/obj/%.o)
MAIN_OBJ := $(BUILD)/obj/portal/main.o

UNIT_TESTS := buf arena html tmpl config valid json mime

all: $(BUILD)/portal assets

# Served assets: the portal's own files plus the parts of Bootstrap Italia
# the pages use, copied from node_modules (installed by scripts/deps.sh).
BI := node_modules/bootstrap-italia/dist
ASSETS_SRC := $(shell find assets -type f 2>/dev/null)
$(BUILD)/assets/.stamp: $(ASSETS_SRC) $(BI)/css/bootstrap-italia.min.css
	@echo "  ASSETS  $(BUILD)/assets"
	@rm -rf $(BUILD)/assets && mkdir -p $(BUILD)/assets/css $(BUILD)/assets/js $(BUILD)/assets/svg \
		$(BUILD)/assets/fonts/Titillium_Web
	@cp -R assets/. $(BUILD)/assets/
	@cp $(BI)/css/bootstrap-italia.min.css $(BUILD)/assets/css/
	@cp $(BI)/js/bootstrap-italia.bundle.min.js $(BUILD)/assets/js/
	@cp $(BI)/svg/sprites.svg $(BUILD)/assets/svg/
	@cp $(BI)/fonts/Titillium_Web/*.woff2 $(BUILD)/assets/fonts/Titillium_Web/
	@touch $@

assets: $(BUILD)/assets/.stamp

$(BUILD)/portal: $(CORE_OBJ) $(MAIN_OBJ)
	@echo "  LD      $@"
	@$(CC) $^ -o $@ $(LDFLAGS) -pthread $(shell pkg-config --libs $(PKGS))

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(CC) $(CFLAGS) $(shell pkg-config --cflags $(PKGS) 2>/dev/null) -MMD -MP -c $< -o $@

$(BUILD)/unit/test_%: tests/unit/test_%.c $(CORE_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Itests/unit $< $(filter-out $(BUILD)/obj/portal/$*.o,$(filter %.o,$^)) -o $@ \
		$(LDFLAGS) -pthread $(shell pkg-config --libs cmocka $(PKGS))

unit: $(UNIT_TESTS:%=$(BUILD)/unit/test_%)
	@scripts/run-unit.sh $(UNIT_TESTS:%=$(BUILD)/unit/test_%)

clean:
	rm -rf $(BUILD)

.PHONY: all assets unit clean

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
