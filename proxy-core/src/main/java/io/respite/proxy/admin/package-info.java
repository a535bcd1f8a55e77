/**
 * The admin listener ({@code --admin-port}): {@code /health}, {@code /ready}, {@code /metrics},
 * {@code /stats} and the dashboard at {@code /}, apart from the data ports so that it can be
 * firewalled apart, on respite's own event loops through Netty's HTTP codec. What each route
 * answers comes from {@link io.respite.proxy.admin.AdminSources}, wired by the proxy's root
 * package: this package knows only HTTP and the dashboard's files.
 *
 * <p>Threading: each connection on its channel's event loop; the sources are called there.
 * Depends on Netty only; must not depend on any other respite package.
 */
package io.respite.proxy.admin;
