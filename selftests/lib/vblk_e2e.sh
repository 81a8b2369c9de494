# SPDX-License-Identifier: GPL-2.0
# Sourced by vblk's end-to-end tests (a real guest on vblk disks, booted by
# vblk-vmm or by QEMU over vDPA; the guest side is guest/e2e-guest.sh):
# the guest's console, the counters, the guest image, and the host's half
# of the guest's throttle phases.  Needs $ctl (vblkctl), $work (a scratch
# directory) and, for a boot, $vpid, $boot_t0, $deadline.

MIB=1048576

note() { echo "# $*"; }
# The guest's console without the tty's CRs.
glog() { tr -d '\r' <"$1"; }
# The lines the guest script printed (without "vblk-guest: ").
gsaid() { glog "$1" | sed -n 's/^vblk-guest: //p'; }
show() {
	note "guest console ($1), last lines:"
	glog "$1" | grep -vE '^\s*$' | tail -n 25 | sed 's/^/#   /'
}

# The JSON of vblkctl is read with jq: these run dozens of times per test,
# and a Python start-up costs seconds in the test host.

# snap PREFIX NAME: set PREFIX_<counter> for every counter of device NAME
# (the JSON key with '-' as '_': PREFIX_bytes_read).
snap() {
	local out
	out=$("$ctl" -j stats "$2" | jq -er --arg p "$1" '.stats | to_entries[] |
		if (.value | type) == "number" and .value == (.value | floor)
		then "\($p)_\(.key | gsub("-"; "_"))=\(.value)"
		else error("counter \(.key): \(.value)") end') || { note "vblkctl stats $2 failed"; return 1; }
	eval "$out"
}

# devfield NAME KEY: one field of `vblkctl -j dev show NAME` (booleans as
# true and false); fails when there is no such device or field.
devfield() {
	"$ctl" -j dev show "$1" | jq -er --arg n "$1" --arg k "$2" '
		if type == "array" then [.[] | select(.name == $n)][0] else . end |
		.[$k] | if . == null then error("no field") else tostring end'
}

# wait_for LOG REGEX: wait until the guest prints "vblk-guest: REGEX"
# (extended regex, anchored at the start).  Fails when the VMM ends, the
# guest reports a failure or the boot's deadline passes.
wait_for() {
	while :; do
		gsaid "$1" | grep -qE "^($2)" && return 0
		gsaid "$1" | grep -q '^FAIL' && return 1
		kill -0 "$vpid" 2>/dev/null || { gsaid "$1" | grep -qE "^($2)"; return; }
		[ "$(date +%s)" -lt "$deadline" ] || { note "timed out waiting for '$2'"; return 1; }
		sleep 0.5
	done
}

# finish_vmm: wait for the VMM to end (killing it at the deadline); $vrc.
finish_vmm() {
	while kill -0 "$vpid" 2>/dev/null && [ "$(date +%s)" -lt "$deadline" ]; do
		sleep 1
	done
	kill -9 "$vpid" 2>/dev/null
	wait "$vpid"
	vrc=$?
	vpid=""
	note "boot took $(($(date +%s) - boot_t0)) s, VMM status $vrc"
}

# guest_done LOG: the guest script got through (init's marker, status 0).
guest_done() {
	glog "$1" | grep -qx 'vblk-guest: done, rc=0'
}

# gsum LOG TAG: "NAME SHA256" lines the guest printed as "sumTAG SHA  NAME".
gsum() { gsaid "$1" | awk -v t="sum$2" '$1 == t { print $3, $2 }' | sort; }

# hsum IMG NAME...: "NAME SHA256" of files read from the image by debugfs.
hsum() {
	local img=$1 f
	shift
	for f in "$@"; do
		debugfs -R "dump /$f $work/dump" "$img" >/dev/null 2>&1 || { echo "$f missing"; continue; }
		echo "$f $(sha256sum <"$work/dump" | cut -d' ' -f1)"
	done | sort
}

# rate LOG LABEL: bytes per second of the guest's timed read LABEL.
rate() {
	gsaid "$1" | awk -v l="$2" '$1 == "rate" && $2 == l {
		split($3, b, "="); split($4, m, "=");
		if (m[2] > 0) printf "%d", b[2] * 1000 / m[2] }'
}

# throttle_limit RATE: a byte rate limit for a disk that reads at RATE
# unthrottled: a quarter of it, at most 4 MiB/s, in 64 KiB units, at least
# 256 KiB/s.
throttle_limit() {
	local lim=$(($1 / 4))
	[ "$lim" -gt $((4 * MIB)) ] && lim=$((4 * MIB))
	lim=$((lim / 65536 * 65536))
	[ "$lim" -lt 262144 ] && lim=262144
	echo "$lim"
}

# e2e_guest_image: $work/guest.cpio.gz, the guest of e2e-guest.sh: its
# /init, the host's mke2fs, e2fsck and resize2fs in /opt/e2fs with their
# libraries, and a 4 MiB random /pattern.bin (also left in
# $work/pattern.bin).
e2e_guest_image() {
	local g=$root/selftests/guest x=$work/extra lib
	head -c $((4 * MIB)) /dev/urandom >"$work/pattern.bin"
	mkdir -p "$x/opt/e2fs" "$x/lib64" "$x/etc" "$x/ro"
	cp /usr/sbin/mke2fs /usr/sbin/e2fsck /usr/sbin/resize2fs "$x/opt/e2fs/"
	for lib in $(ldd /usr/sbin/mke2fs /usr/sbin/e2fsck /usr/sbin/resize2fs | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// && $2 ~ /^\(/ { print $1 }' | sort -u); do
		mkdir -p "$x$(dirname "$lib")"
		cp -L "$lib" "$x$lib"
	done
	cp /etc/mke2fs.conf "$x/etc/" 2>/dev/null
	ln -s /proc/mounts "$x/etc/mtab"
	cp "$work/pattern.bin" "$x/pattern.bin"
	if ! "$g/mkinitramfs.sh" "$work/base.cpio.gz" "$g/e2e-guest.sh" >"$work/mk.log" 2>&1 ||
	   ! (cd "$x" && find . | cpio -o -H newc --quiet | gzip -1) >"$work/extra.cpio.gz"; then
		sed 's/^/# /' "$work/mk.log"
		return 1
	fi
	# The kernel unpacks concatenated archives in order.
	cat "$work/base.cpio.gz" "$work/extra.cpio.gz" >"$work/guest.cpio.gz"
}

# check_pattern LOG IMG: one result: the guest read back the 4 MiB pattern
# it wrote with O_DIRECT at 48 MiB (boot1_data), and IMG holds it there.
check_pattern() {
	dd if="$2" bs=1M skip=48 count=4 status=none | cmp -s - "$work/pattern.bin" &&
	gsaid "$1" | grep -q "^pattern written and read back with O_DIRECT: $(sha256sum <"$work/pattern.bin" | cut -d' ' -f1)"
	ktap_check $? "O_DIRECT pattern: guest reads back what it wrote; backing file holds it at 48 MiB"
}

# check_ext4 LOG IMG: one result: the ext4 the guest made (boot1_data) is
# clean in the guest and in IMG, whose files have the guest's sums.  Sets
# files1 (the files) and g1 (their sums as the guest printed them).
check_ext4() {
	local h1 frc
	files1="f1 f2 f3 d/f4"
	g1=$(gsum "$1" 1)
	h1=$(hsum "$2" $files1)
	e2fsck -fn "$2" >"$work/fsck1.log" 2>&1
	frc=$?
	[ $frc -ne 0 ] && sed 's/^/#   /' "$work/fsck1.log" | tail -n 20
	[ -n "$g1" ] && [ "$(echo "$g1" | wc -l)" -eq 4 ] && [ "$g1" = "$h1" ] &&
	gsaid "$1" | grep -q '^fsck after boot 1: rc=0' && [ $frc -eq 0 ]
	if ! ktap_check $? "ext4 by the guest: 4 files synced, fsck clean in guest, e2fsck -fn clean on the host, host reads the same sums"; then
		note "guest sums: $g1"; note "host sums: $h1"
	fi
}

# throttle_host LOG NAME IMG: the host's half of the guest's throttle phases
# (boot1_throttle in e2e-guest.sh): when the guest asks, limit NAME to
# throttle_limit of the guest's unlimited rate and tell the guest through
# the mailbox sector in IMG (the backing file) how much to read; when it
# asks again, lift the limit.  Sets thr_ok (1 when both phases ran), u0,
# lim, drain_kib, timed_kib and the counters t1_* and t2_* of the window.
throttle_host() {
	thr_ok=0
	wait_for "$1" 'throttle: want limit' || return 1
	u0=$(rate "$1" unlimited0)
	lim=$(throttle_limit "${u0:-0}")
	# The bucket holds one second; the untimed "drain" read (1.5 s
	# worth) empties it, the timed read lasts 8 s.
	drain_kib=$((lim * 3 / 2 / 1024 / 256 * 256 + 256))
	timed_kib=$((lim * 8 / 1024 / 256 * 256))
	note "unlimited read: $u0 B/s; limit $lim B/s, drain $drain_kib KiB, timed $timed_kib KiB"
	"$ctl" set-throttle "$2" bps "$lim" bps-burst "$lim" 2>&1 | sed 's/^/# /'
	snap t1 "$2"
	printf 'vblk-mbox 1 %d %d\n' "$drain_kib" "$timed_kib" |
		dd of="$3" bs=512 seek=$((63 * 2048)) conv=notrunc,sync status=none
	wait_for "$1" 'throttle: want off' || return 1
	snap t2 "$2"
	"$ctl" set-throttle "$2" off 2>&1 | sed 's/^/# /'
	printf 'vblk-mbox 2 0 32768\n' |
		dd of="$3" bs=512 seek=$((63 * 2048)) conv=notrunc,sync status=none
	thr_ok=1
}

# throttle_checks LOG: three results from the throttle phases of the boot
# whose console is LOG (after throttle_host): the limited rate, the rate
# without a limit again, the counters of the limited window.
throttle_checks() {
	local ul u1 polls dread want
	if [ "$thr_ok" != 1 ]; then
		show "$1"
		ktap_test_fail "throttle: the guest never reached the limited phase"
		ktap_test_fail "throttle off: not reached"
		ktap_test_fail "counters while throttled: not reached"
		return
	fi
	ul=$(rate "$1" limited)
	u1=$(rate "$1" unlimited1)
	note "rates: unlimited $u0, limited $ul (limit $lim), unlimited again $u1 B/s"
	[ -n "$ul" ] && [ "$ul" -ge $((lim * 9 / 10)) ] && [ "$ul" -le $((lim * 11 / 10)) ]
	ktap_check $? "throttle bps $lim: guest's O_DIRECT read ran at $ul B/s (within 10%)"
	[ -n "$u1" ] && [ "$u1" -gt $((2 * lim)) ] && [ "$u0" -gt $((2 * lim)) ]
	ktap_check $? "throttle off: guest read at $u1 B/s (> 2x the limit; $u0 B/s before the limit)"

	polls=$(gsaid "$1" | awk '$1 == "polls" { split($2, a, "="); split($3, b, "="); print a[2] + b[2] }')
	dread=$((t2_bytes_read - t1_bytes_read))
	want=$(( (drain_kib + timed_kib) * 1024 ))
	# A poll is one 4 KiB O_DIRECT read; allow 64 KiB for the guest
	# kernel's own reads.  The guest's block layer counts its side (in
	# sectors, from just before the first poll).
	note "window: bytes_read +$dread (guest O_DIRECT $want + ${polls:-?} polls;" \
	     "guest block layer: $(gsaid "$1" | sed -n 's/^throttle: window read sectors //p'))," \
	     "bytes_written +$((t2_bytes_written - t1_bytes_written)), reads +$((t2_reads_completed - t1_reads_completed))," \
	     "throttled_count +$((t2_throttled_count - t1_throttled_count))"
	[ -n "$polls" ] && [ "$dread" -ge "$want" ] && [ "$dread" -le $((want + polls * 4096 + 65536)) ] &&
	[ $((t2_bytes_written - t1_bytes_written)) -eq 0 ] &&
	[ $((t2_writes_completed - t1_writes_completed)) -eq 0 ] &&
	[ $((t2_reads_completed - t1_reads_completed)) -ge $(( (drain_kib + timed_kib) / 256 )) ] &&
	[ $((t2_throttled_count - t1_throttled_count)) -gt 0 ]
	ktap_check $? "counters while throttled: bytes_read matches the guest's reads, nothing written, throttled_count grew"
}
