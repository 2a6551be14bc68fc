package dev.warmbox.devenv.containers;

/**
 * Shell run inside development-environment containers as root through the engine's exec. Values
 * arrive as arguments or variables, never spliced into the script text, so no user input is ever
 * parsed as shell. The IDE side of the contract ({@code warmbox-ide apply|restart}, the user.env file)
 * is described in sandbox-images/devenv/README.md.
 */
public final class Scripts {
    private Scripts() {}

    /** Clones the bind-mounted repository into the empty /workspace; $WARMBOX_GIT_REF, if set, is checked out. */
    public static final String CLONE = """
            set -eu
            owner=$(stat -c %u:%g /workspace)
            cd /workspace
            git -c safe.directory='*' clone --quiet /warmbox/source .
            if [ -n "${WARMBOX_GIT_REF:-}" ]; then git -c safe.directory='*' checkout --quiet "$WARMBOX_GIT_REF"; fi
            git -c safe.directory='*' remote remove origin
            chown -R "$owner" /workspace
            """;

    /** Keeps the prebuilt /workspace and /home, so a reset can bring an instance back to exactly this. */
    public static final String KEEP_PRISTINE = """
            set -eu
            mkdir -p /var/lib/warmbox
            cd /
            set --
            for d in workspace home; do [ -d "$d" ] && set -- "$@" "$d"; done
            tar -cpf /var/lib/warmbox/pristine.tar "$@"
            chmod 0600 /var/lib/warmbox/pristine.tar
            """;

    /**
     * Writes secrets as files in /etc/warmbox/secrets, readable by the workspace's owner: the names are
     * the arguments up to "--", each value is in $WARMBOX_SECRET__NAME (names are checked to be
     * variable names before they get here). With "apply" after "--", the remaining arguments
     * (KEY=VALUE) become the IDE's user environment and the IDE is restarted with them.
     */
    static final String PERSONALIZE = """
            set -eu
            dir=/etc/warmbox/secrets
            mkdir -p "$dir"
            chmod 0755 "$dir"
            owner=$(stat -c %u:%g /workspace 2>/dev/null || echo 0:0)
            while [ $# -gt 0 ] && [ "$1" != -- ]; do
              eval "value=\\${WARMBOX_SECRET__$1}"
              printf %s "$value" > "$dir/.$1.tmp"
              chown "$owner" "$dir/.$1.tmp"
              chmod 0600 "$dir/.$1.tmp"
              mv -f "$dir/.$1.tmp" "$dir/$1"
              shift
            done
            [ $# -gt 0 ] && shift
            if [ "${1:-}" = apply ]; then shift; exec warmbox-ide apply "$@"; fi
            """;

    /**
     * Brings a released instance back to its snapshot: the user's environment emptied, every process
     * of the workspace's owner killed, every file it owns removed, /workspace and /home restored from
     * the prebuild's copy, the temporary directories and secrets emptied, and the IDE restarted.
     */
    static final String RESET = """
            set -u
            : > /etc/warmbox/user.env
            uid=$(stat -c %u /workspace)
            if [ "$uid" != 0 ]; then
              for attempt in 1 2 3 4 5 6 7 8 9 10; do
                pids=$(ps -e -o pid=,uid= | awk -v u="$uid" '$2 == u { print $1 }')
                [ -z "$pids" ] && break
                kill -KILL $pids 2>/dev/null
                sleep 0.1
              done
              find / -xdev -depth -user "$uid" ! -path / -delete 2>/dev/null
            fi
            find /workspace /home /tmp /var/tmp /dev/shm -mindepth 1 -delete 2>/dev/null
            rm -rf /etc/warmbox/secrets
            set -e
            tar -C / -xpf /var/lib/warmbox/pristine.tar
            warmbox-ide restart >/dev/null
            """;
}
