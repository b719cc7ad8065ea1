/**
 * NANP (+1) area codes by IANA zone, for deriving a contact's local time from its number.
 * Area codes that span zones (e.g. 850 in Florida) list every zone they cover; codes not
 * listed fall back to every zone of their country. Geographic codes only: overlays follow
 * their parent. Reviewed against the NANPA assignments for the populous states; coverage is
 * not exhaustive (see the README's compliance notes).
 */
const BY_ZONE: Record<string, string> = {
  'America/New_York':
    '201 202 203 207 212 215 216 220 223 229 231 234 239 240 248 252 260 267 269 272 276 283 301 302 304 305 313 315 317 321 326 330 332 336 339 347 351 352 380 386 401 404 407 410 412 413 419 423 434 436 440 443 445 448 463 470 472 475 478 484 502 508 513 516 517 518 540 551 561 567 570 571 574 582 585 586 603 606 607 609 610 614 616 617 631 640 645 646 656 667 678 679 680 681 689 703 704 706 716 717 718 724 727 732 734 740 743 754 757 762 765 770 772 774 781 786 802 803 804 810 813 814 826 828 835 838 839 843 845 848 854 856 857 859 860 862 863 864 865 878 904 908 910 912 914 917 919 929 930 934 937 941 943 947 948 954 959 973 978 980 984 989',
  'America/Chicago':
    '205 210 214 217 218 219 224 225 228 251 254 256 262 270 274 281 309 312 314 316 318 319 320 325 331 334 337 346 361 364 402 405 409 414 417 430 432 447 464 469 479 501 504 507 512 515 531 534 539 557 563 572 573 580 601 608 612 615 618 620 629 630 636 641 651 659 660 662 682 708 712 713 715 726 730 731 737 763 769 773 779 785 806 815 816 817 830 832 847 870 872 901 903 913 918 920 931 936 938 940 945 952 956 972 979 985',
  'America/Denver': '303 307 385 406 435 505 575 719 720 801 915 970 983',
  'America/Phoenix': '480 520 602 623 928',
  'America/Los_Angeles':
    '206 209 213 253 279 310 323 341 350 360 408 415 424 425 442 458 503 509 510 530 541 559 562 564 619 626 628 650 657 661 669 702 707 714 725 747 760 775 805 818 820 831 840 858 909 916 925 949 951 971',
  'America/Anchorage': '907',
  'Pacific/Honolulu': '808',
  'America/Toronto':
    '226 249 289 343 365 367 416 418 437 438 450 514 519 548 579 581 613 647 705 819 873 905',
  'America/Vancouver': '236 250 604 672 778',
  'America/Edmonton': '368 403 587 780 825',
  'America/Winnipeg': '204 431',
  'America/Regina': '306 639',
  'America/Halifax': '782 902',
  'America/Moncton': '506',
  'America/St_Johns': '709',
  'America/Puerto_Rico': '787 939',
  'America/Santo_Domingo': '809 829 849',
  'America/Jamaica': '658 876',
  'America/Port_of_Spain': '868',
  'America/Nassau': '242',
  'America/Barbados': '246',
};

/** Codes that span two zones. */
const SPLIT: Record<string, string[]> = {
  '850': ['America/New_York', 'America/Chicago'],
  '906': ['America/New_York', 'America/Chicago'],
  '812': ['America/New_York', 'America/Chicago'],
  '208': ['America/Denver', 'America/Los_Angeles'],
  '986': ['America/Denver', 'America/Los_Angeles'],
  '308': ['America/Chicago', 'America/Denver'],
  '605': ['America/Chicago', 'America/Denver'],
  '701': ['America/Chicago', 'America/Denver'],
  '807': ['America/Toronto', 'America/Winnipeg'],
};

const TABLE = new Map<string, string[]>();
for (const [zone, codes] of Object.entries(BY_ZONE))
  for (const code of codes.split(' ')) TABLE.set(code, [zone]);
for (const [code, zones] of Object.entries(SPLIT)) TABLE.set(code, zones);

/** The zones of a NANP area code, or undefined when the table does not know it. */
export function nanpAreaCodeZones(areaCode: string): string[] | undefined {
  return TABLE.get(areaCode);
}
