#!/bin/sh
# Install a Loyalty Desktop bundle (dist/loyalty-desktop from `make bundle`) with its menu entry.
#
#   packaging/linux/install.sh dist/loyalty-desktop            for this user (~/.local)
#   sudo packaging/linux/install.sh dist/loyalty-desktop --system   for everyone (/opt, /usr/local)
#   packaging/linux/install.sh --uninstall [--system]          remove the program (never the data)
#
# The program goes to <prefix>/opt/loyalty-desktop (replaced as a whole on upgrade), the command
# to <prefix>/bin, the menu entry and icon to <prefix>/share. Shop data stays where it is
# (~/.local/share/LoyaltyDesktop unless --data-dir or LOYALTY_DATA_DIR says otherwise).
set -eu

HERE=$(cd "$(dirname "$0")" && pwd)
BUNDLE=""
SYSTEM=0
UNINSTALL=0
for arg in "$@"; do
  case "$arg" in
    --system) SYSTEM=1 ;;
    --uninstall) UNINSTALL=1 ;;
    -h|--help) sed -n '2,11p' "$0"; exit 0 ;;
    *) BUNDLE=$arg ;;
  esac
done

if [ "$SYSTEM" = 1 ]; then
  APP_DIR=/opt/loyalty-desktop; BIN_DIR=/usr/local/bin; SHARE=/usr/local/share
else
  APP_DIR="$HOME/.local/opt/loyalty-desktop"; BIN_DIR="$HOME/.local/bin"; SHARE="$HOME/.local/share"
fi
DESKTOP="$SHARE/applications/loyalty-desktop.desktop"
ICON_PNG="$SHARE/icons/hicolor/256x256/apps/loyalty-desktop.png"
ICON_SVG="$SHARE/icons/hicolor/scalable/apps/loyalty-desktop.svg"

refresh_menus() {
  command -v update-desktop-database >/dev/null 2>&1 \
    && update-desktop-database -q "$SHARE/applications" || true
  command -v gtk-update-icon-cache >/dev/null 2>&1 \
    && gtk-update-icon-cache -q -t "$SHARE/icons/hicolor" || true
}

if [ "$UNINSTALL" = 1 ]; then
  rm -rf "$APP_DIR"
  rm -f "$BIN_DIR/loyalty-desktop" "$DESKTOP" "$ICON_PNG" "$ICON_SVG"
  refresh_menus
  echo "Removed Loyalty Desktop from $APP_DIR (shop data was not touched)."
  exit 0
fi

if [ -z "$BUNDLE" ] || [ ! -x "$BUNDLE/loyalty-desktop" ]; then
  echo "Give the bundle folder (the one holding the loyalty-desktop program), e.g. dist/loyalty-desktop" >&2
  exit 2
fi

# A new copy beside the old one, then swapped in: a failed copy leaves the old program working.
mkdir -p "$(dirname "$APP_DIR")" "$BIN_DIR" "$(dirname "$DESKTOP")" \
  "$(dirname "$ICON_PNG")" "$(dirname "$ICON_SVG")"
rm -rf "$APP_DIR.new"
cp -a "$BUNDLE" "$APP_DIR.new"
rm -rf "$APP_DIR.old"
[ -d "$APP_DIR" ] && mv "$APP_DIR" "$APP_DIR.old"
mv "$APP_DIR.new" "$APP_DIR"
rm -rf "$APP_DIR.old"

ln -sf "$APP_DIR/loyalty-desktop" "$BIN_DIR/loyalty-desktop"
sed "s|^Exec=loyalty-desktop|Exec=\"$APP_DIR/loyalty-desktop\"|" \
  "$HERE/loyalty-desktop.desktop" > "$DESKTOP"
chmod 644 "$DESKTOP"
cp "$HERE/../icons/loyalty-desktop.png" "$ICON_PNG"
cp "$HERE/../icons/loyalty-desktop.svg" "$ICON_SVG"
refresh_menus

echo "Installed Loyalty Desktop in $APP_DIR; menu entry $DESKTOP."
"$APP_DIR/loyalty-desktop" --self-test >/dev/null 2>&1 \
  && echo "Self-test passed." \
  || echo "Self-test FAILED: run '$APP_DIR/loyalty-desktop --self-test' to see why." >&2
