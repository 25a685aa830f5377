/** Three sails: drawn inline so that no font or file is needed. */
export function BrandMark() {
  return (
    <svg className="brand-mark" width="22" height="18" viewBox="0 0 22 18" aria-hidden="true" focusable="false">
      <path d="M1 14h20l-3 3H4z" fill="currentColor" />
      <path d="M4 12V3l4 9z M10 12V1l5 11z M17 12V5l3 7z" fill="currentColor" opacity="0.85" />
    </svg>
  );
}
