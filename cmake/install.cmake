# Install rules: filled in by the packaging work (config, version file, pkg-config).
include(GNUInstallDirs)
