import { Link } from "@tanstack/react-router";
import { EmptyState, PageHeader } from "../components/ui";
import { useT } from "../prefs";

export function NotFoundPage() {
  const t = useT();
  return (
    <main className="center-page">
      <PageHeader title={t("notFound.title")} />
      <EmptyState title={t("notFound.body")} action={<Link to="/tenants">{t("nav.tenants")}</Link>} />
    </main>
  );
}
