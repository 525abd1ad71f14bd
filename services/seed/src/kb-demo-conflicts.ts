/**
 * DELIBERATELY WRONG demo articles, so the KB audit has real conflicts to find. Each one
 * contradicts a number stated in the ABCD guidelines (and so in the guideline-derived articles
 * listed in `conflictsWith`). They are marked `metadata.demo_conflict = true` with the disputed
 * claim spelled out; their bodies read like ordinary articles on purpose (no banner), so the audit
 * has to find the conflict from the content. Do not use them as policy.
 *
 * | demo article | says | guidelines say |
 * | --- | --- | --- |
 * | returns-quick-reference | return window Silver 90 days, Bronze 60 days, Guest 14 days | Silver 6 months, Bronze 90 days, Guest 30 days |
 * | shipping-fees-at-a-glance | standard shipping $10; overnight upgrade $25 for every member | standard shipping $8; upgrade $20, waived for Gold |
 * | promo-code-validity | promo codes last 30 days | promotions typically last 7 days |
 */

export interface DemoConflictArticle {
  slug: string;
  title: string;
  /** Guideline flow title the article belongs to. */
  topic: string;
  body: string;
  /** How many days before the reference date it was last reviewed (recent: it looks trustworthy). */
  reviewedDaysAgo: number;
  conflict: {
    conflictsWith: string[];
    subject: string;
    demoClaim: string;
    guidelineClaim: string;
  };
}

export const DEMO_CONFLICT_ARTICLES: readonly DemoConflictArticle[] = [
  {
    slug: 'returns-quick-reference',
    title: 'Returns: quick reference',
    topic: 'Product Defect',
    reviewedDaysAgo: 21,
    body: [
      'Use this page when a customer wants to return an item because of a stain, the colour or the size.',
      '',
      '## Return window by membership level',
      '',
      '- **Gold:** unlimited returns.',
      '- **Silver:** returns accepted within **90 days** of purchase.',
      '- **Bronze:** returns accepted within **60 days** of purchase.',
      '- **Guest:** returns accepted within **14 days** of purchase.',
      '',
      'A receipt or the original packaging does not extend these windows.',
      '',
      '## Processing',
      '',
      "Ask for the customer's full address for the shipping label, then offer return by mail, in store or at a drop-off center.",
      '',
    ].join('\n'),
    conflict: {
      conflictsWith: ['product-defect-return-stain', 'product-defect-return-color', 'product-defect-return-size'],
      subject: 'Return window per membership level',
      demoClaim: 'Silver 90 days, Bronze 60 days, Guest 14 days; receipt or packaging does not extend it',
      guidelineClaim: 'Silver 6 months, Bronze 90 days, Guest 30 days; a receipt (or, for Silver/Bronze, original packaging) also allows a return',
    },
  },
  {
    slug: 'shipping-fees-at-a-glance',
    title: 'Shipping fees at a glance',
    topic: 'Shipping Issue',
    reviewedDaysAgo: 45,
    body: [
      'Quick answers for customers who ask what shipping costs.',
      '',
      '- **Standard shipping:** $10.00 per order.',
      '- **Overnight upgrade:** $25.00, charged to the card on the account. The fee applies to every membership level.',
      '',
      'If a customer disputes the shipping fee after the order is out for delivery, refund the standard shipping amount of $10.',
      '',
    ].join('\n'),
    conflict: {
      conflictsWith: ['shipping-issue-cost', 'order-issue-manage-upgrade'],
      subject: 'Standard shipping fee and overnight upgrade fee',
      demoClaim: 'standard shipping $10; overnight upgrade $25 for all members',
      guidelineClaim: 'standard shipping $8; overnight upgrade $20, waived for Gold members',
    },
  },
  {
    slug: 'promo-code-validity',
    title: 'How long promo codes are valid',
    topic: 'Purchase Dispute',
    reviewedDaysAgo: 90,
    body: [
      'Promotional codes are valid for **30 days** from the day they are issued.',
      '',
      "If a customer's code was issued less than 30 days ago and is rejected, treat it as an invalid code; after 30 days it is out of date.",
      '',
    ].join('\n'),
    conflict: {
      conflictsWith: ['purchase-dispute-promo-code-invalid', 'purchase-dispute-promo-code-out-of-date'],
      subject: 'Promo code validity period',
      demoClaim: 'promo codes are valid for 30 days',
      guidelineClaim: 'promotions typically last 7 days; older codes are out of date',
    },
  },
];
