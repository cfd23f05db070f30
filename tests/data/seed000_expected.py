"""Seed 000, note by note, as a reader reads it (written by hand from the
notes section of examples/seeds/000_224640cac31f022b.txt).

Each note: its URLs as written (cleaned of ``<>``), the access date, the
cited title, the bracketed English translation, and the note it repeats
(for short forms, which inherit that note's URLs). Notes 3, 9 and 15 were
accessed on 12 September 2022, every other note with a URL on 14 August
2022.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Expected:
    urls: tuple[str, ...]
    title: str | None
    translated: str | None = None
    accessed: str | None = "2022-08-14"
    inherits: str | None = None
    # A note citing several sources: the title written before each URL.
    url_titles: tuple[str, ...] | None = None


AUG = "2022-08-14"
SEP = "2022-09-12"

NOTES: dict[str, Expected] = {
    "1": Expected(
        ("https://www.mfa.gov.cn/ce/cohk//chn/topic/zgwj/wjlshk/t8984.htm",),
        "Zhōng, é, hā, jí, tǎ wǔ guó huìwù",
        "China, Russia, Kazakhstan, Kyrgyzstan, Tajikistan Five Country Meeting",
    ),
    "2": Expected(
        (
            "https://www.upi.com/Archives/1994/04/27/Chinese-premier-wraps-up-Central-Asian-tour/1680767419200/",
        ),
        "Chinese Premier Wraps Up Central Asian Tour",
    ),
    "3": Expected(
        ("https://www.fmprc.gov.cn/ce/cebel/eng/zxxx/t1078088.htm",),
        "Promote Friendship Between Our People and Work Together to Build a Bright Future",
        accessed=SEP,
    ),
    "4": Expected(
        ("http://www.npc.gov.cn/wxzl/wxzl/2000-12/06/content_3612.htm",),
        "Zhōnghuá rénmín gònghéguó hé hāsàkè sītǎn gònghéguó, jí’ěrjísī gònghéguó, èluósī "
        "liánbāng, tǎjíkè sītǎn gònghéguó guānyú zài biānjìng dìqū jiāqiáng jūnshì lǐngyù "
        "xìnrèn de xiédìng",
        "Agreement Between the People’s Republic of China and the Republic of Kazakhstan, the "
        "Kyrgyz Republic, the Russian Federation, and the Republic of Tajikistan on Strengthening "
        "Confidence in the Military Field in Border Areas",
    ),
    "5": Expected(
        (
            "https://thediplomat.com/2017/03/remembering-the-ghulja-incident-20th-anniversary-of-uyghur-tiananmen-passes-with-little-notice/",
        ),
        "Remembering the Ghulja Incident: 20th Anniversary of “Uyghur Tiananmen” Passes With "
        "Little Notice",
    ),
    "6": Expected(
        ("http://cpc.people.com.cn/BIG5/218984/222139/14775391.html",),
        "Zhōng tǔ tiānránqì guǎndào gōngchéng xiàngmù guīhuà zhī chū",
        "The Beginning of China-Turkmenistan Natural Gas Pipeline Project Planning",
    ),
    "7": Expected(
        ("http://www.reformdata.org/1999/0617/5803.shtml",),
        "Bùshīshíjī dì shíshī xībù dà kāifā zhànlüè",
        "Take No Time to Implement the Great Western Development Strategy",
    ),
    "8": Expected(
        (
            "https://www.un.org/securitycouncil/sanctions/1267/aq_sanctions_list/summaries/entity/islamic-movement-of-uzbekistan",
        ),
        "Islamic Movement of Uzbekistan",
    ),
    "9": Expected(("https://ecrats.org/en/history/",), "SCO RATS", accessed=SEP),
    "10": Expected(
        (
            "https://www.fmprc.gov.cn/web/gjhdq_676201/gjhdqzz_681964/lhg_683094/zyjh_683104/t4637.shtml",
        ),
        "Jiāngzémín zhǔxí zài “shànghǎi hézuò zǔzhī” chénglì dàhuì shàng de jiǎnghuà",
        "Speech by President Jiang Zemin at the Inaugural Meeting of the “Shanghai Cooperation "
        "Organisation”",
    ),
    "11": Expected(
        ("http://ru.china-embassy.org/chn/eyxx/zyjhhwj/t26271.htm",),
        "Shànghǎi hézuò zǔzhī chéngyuán guó zǒnglǐ huìwù zàijīng jǔxíng —wēnjiābǎo zǒnglǐ "
        "zhǔchí huìyì bìng jiǎnghuà",
        "The Meeting of the Prime Ministers of the Member States of the Shanghai Cooperation "
        "Organisation was Held in Beijing – Premier Wen Jiabao’s Speech",
    ),
    "12": Expected(
        ("http://www.mofcom.gov.cn/article/ae/ai/200409/20040900279537.shtml",),
        "Shànghǎi hézuò zǔzhī chéngyuán guó jǔxíng jīngmào bùzhǎng dì sān cì huìyì",
        "The Member States of the Shanghai Cooperation Organisation Hold the Third Meeting of "
        "Economic and Trade Ministers",
    ),
    "13": Expected(("http://cnisco.shupl.edu.cn/en/98/listm.htm",), "About Us"),
    "14": Expected(
        (
            "https://www.ifri.org/sites/default/files/atoms/files/ifrikassenovakazandeurasianintegrationengnov2012.pdf",
        ),
        "Kazakhstan and Eurasian Economic Integration: Quick Start, Mixed Results and Uncertain "
        "Future",
    ),
    "15": Expected(
        ("http://www.eurasiancommission.org/ru/Documents/broshura26Body_ENGL_final2013_2.pdf",),
        "Eurasian Economic Integration: Facts and Figures",
        accessed=SEP,
    ),
    "16": Expected(
        ("http://www.eurasiancommission.org/en/nae/news/Pages/17-05-2018-5.aspx",),
        "Agreement Signed on Trade and Economic Cooperation Between EAEU and PRC",
    ),
    "17": Expected(("https://www.kcp.kz/company/history?language=en",), "History"),
    "18": Expected(
        ("https://www.rferl.org/a/oil-kazakhstan-kashagan/25329794.html",),
        "The Wait Goes On At Kashagan",
    ),
    "19": Expected(
        ("http://base.spinform.ru/show_doc.fwx?rgn=105655",),
        "O vnesenii izmeneniya v postanovleniye Pravitel’stva Respubliki Kazakhstan ot 21 "
        "yanvarya 2012 goda №148 “Ob utverzhdenii Pravil v’yezda i prebyvaniya immigrantov v "
        "Respublike Kazakhstan, a takzhe ikh vyyezda iz Respubliki Kazakhstan i Pravil "
        "osushchestvleniya migratsionnogo kontrolya, a takzhe ucheta inostrantsev i lits bez "
        "grazhdanstva, nezakonno peresekayushchikh Gosudarstvennuyu granitsu Respubliki "
        "Kazakhstan, nezakonno prebyvayushchikh na territorii Respubliki Kazakhstan, a takzhe "
        "lits, kotorym zapreshchen v’yezd na territoriyu Respubliki Kazakhstan”",
        "On Amending the Resolution of the Government of the Republic of Kazakhstan Dated "
        "January 21, 2012 No. 148 “On Approval of the Rules for the Entry and Stay of Immigrants "
        "in the Republic of Kazakhstan, As Well As Their Departure from the Republic of "
        "Kazakhstan and the Rules for the Implementation of Migration Control, As Well As "
        "Registration of Foreigners and Stateless Persons, Illegal Crossing the State Border of "
        "the Republic of Kazakhstan, Illegally Staying in the Territory of the Republic of "
        "Kazakhstan, As Well As Persons Who are Prohibited from Entering the Territory of the "
        "Republic of Kazakhstan”",
    ),
    "20": Expected((), "Uzbekistan, China Sign Major Gas Pipeline Deal", accessed=None),
    "21": Expected(
        (), "Uzbekistan’s Balancing Act with China: A View From the Ground", accessed=None
    ),
    "22": Expected(
        ("https://rus.azattyk.org/a/Kyrgyzstan_Omuraliev_WTO/3279143.html",),
        "E. Omuraliyev: Kyrgyzstan dolzhen voyti v Tamozhennyy soyuz",
        "E. Omuraliev: Kyrgyzstan Should Join the Customs Union",
    ),
    "23": Expected(
        ("https://www.ozodi.org/a/Chinese_expansion_in_TA_markets_How_to_defend/1822797.html",),
        "Afzoişi toçironi cinoī dar ʙozorhoi Duşanʙe",
        "Growth of Chinese Traders in Dushanbe Markets",
    ),
    "24": Expected(
        (
            "https://news.cgtn.com/news/7a517a4d32454464776c6d636a4e6e62684a4856/share_p.html",
            "http://www.xinhuanet.com/english/2020-12/01/c_139555549.htm",
        ),
        "SCO Development Bank: Prospects of the SCO Development Bank",
        url_titles=(
            "SCO Development Bank: Prospects of the SCO Development Bank",
            "SCO Plans to Enhance Financial Cooperation, Continue Consultations on Establishing "
            "SCO Development Bank",
        ),
    ),
    "25": Expected(
        ("http://eng.sectsco.org/news/20170706/306862.html",), "SCO Promotes Transport Links"
    ),
    "26": Expected(
        ("http://eng.sectsco.org/news/20170706/306862.html",),
        "SCO Promotes Transport Links",
        inherits="25",
    ),
    "27": Expected(
        ("http://chn.sectsco.org/news/20090904/16988.html",),
        "Shànghǎi hézuò zǔzhī mìshū zhǎng zài 2009 zhōngxī nányà qūyù jīngjì hézuò lùntán "
        "shàng de zhìcí",
        "Speech by the Secretary-General of the Shanghai Cooperation Organisation at the 2009 "
        "Central and Southwest Asia Regional Economic Cooperation Forum",
    ),
    "28": Expected(
        ("http://www.mofcom.gov.cn/aarticle/jiguanzx/201008/20100807075852.html",),
        "Shànghǎi hézuò zǔzhī jīngmào bùzhǎng huìyì diànzǐ shāngwù zhuānyè gōngzuò zǔ dì wǔ "
        "cì huìyì zài shāngwù bù jǔxíng",
        "The Fifth Meeting of the E-Commerce Professional Working Group of the Shanghai "
        "Cooperation Organisation Economic and Trade Ministers Meeting Was Held in the Ministry "
        "of Commerce",
    ),
    "29": Expected(
        ("https://www.cctce.org/core/detail/id/202.html",),
        "Shànghǎi hézuò zǔzhī diànzǐ shāngwù zhuānyè gōngzuò zǔ dì qī cì huìyì jí zhèng qǐ "
        "duìhuà huì zàijīng jǔxíng",
        "The Seventh Meeting of the Shanghai Cooperation Organisation E-Commerce Professional "
        "Working Group and the Government-Enterprise Dialogue Held in Beijing",
    ),
    "30": Expected(
        ("http://eng.sectsco.org/news/20171201/361743.html",),
        "Joint Communiqué Following the 16th Meeting of the SCO Heads of Government Council",
    ),
    "31": Expected(
        ("https://sco-russia2020.ru/images/108/44/1084415.pdf",),
        "Zayavleniye soveta glav gosudarstv-chlenov Shankhayskoy organizatsii sotrudnichestva o "
        "sotrudnichestve v oblasti tsifrovoy ekonomiki",
        "Statement of the Council of Heads of State of the Shanghai Cooperation Organisation on "
        "Cooperation in the Field of the Digital Economy",
    ),
    "32": Expected(
        ("https://sco-russia2020.ru/images/108/46/1084605.pdf",),
        "Zayavleniye soveta glav gosudarstv-chlenov Shankhayskoy organizatsii sotrudnichestva o "
        "sotrudnichestve v oblasti obespecheniya mezhdunarodnoy informatsionnoy bezopasnosti",
        "Statement of the Council of Heads of State of the Shanghai Cooperation Organisation on "
        "Cooperation in the Field of International Information Security",
    ),
    "33": Expected(
        ("https://sco-russia2020.ru/images/108/44/1084438.pdf",),
        "Soveta glav gosudarstv-chlenov Shankhayskoy organizatsii sotrudnichestva o "
        "protivodeystvii rasprostraneniyu terroristicheskoy, separatistskoy i ekstremistskoy "
        "ideologii, v tom chisle v seti Internet",
        "Of the Council of Heads of State of the Shanghai Cooperation Organisation on Countering "
        "the Spread of Terrorist, Separatist and Extremist Ideology, Including on the Internet",
    ),
    "34": Expected((), None, accessed=None),
    "35": Expected(
        ("http://eng.sectsco.org/load/197770/",),
        "Statement by the Heads of Member States of the Shanghai Cooperation Organisation on "
        "International Information Security",
    ),
    "36": Expected(
        ("http://treaty.mfa.gov.cn/tykfiles/20180718/1531876097720.pdf",),
        "Shànghǎi hézuò zǔzhī chéngyuán guó bǎozhàng guójì xìnxī ānquán zhèngfǔ jiān hézuò xiédìng",
        "Agreement on Cooperation Between the Member States of the Shanghai Cooperation "
        "Organisation to Guarantee International Information Security",
    ),
    "37": Expected((), None, accessed=None),
    "38": Expected(
        (
            "http://www.xinhuanet.com/politics/2015-10/15/c_128318903.htm",
            "http://m.news.cctv.com/2017/12/06/ARTIAWgbuaRbebix8FZnWO0m171206.shtml",
            "http://www.xinhuanet.com/mil/2019-12/12/c_1125340396.htm",
        ),
        "Shàng hé zǔzhī shǒucì yǎnliàn wǎngluò fǎnkǒng",
        "SCO’s First Exercise on Cyber-Terrorism",
        url_titles=(
            "Shàng hé zǔzhī shǒucì yǎnliàn wǎngluò fǎnkǒng",
            "Shàng hé zǔzhī “xiàmén-2017” wǎngluò fǎnkǒng yǎnxí jīn jǔxíng",
            "Dì sān jiè shàng hé zǔzhī wǎngluò fǎnkǒng liánhé yǎnxí zài zhōngguó jǔxíng",
        ),
    ),
    "39": Expected(
        ("http://www.osce-academy.net/upload/file/PB_63.pdf",),
        "Comparative Analysis of Digital Development in Central Asian Countries",
    ),
    "40": Expected(
        ("https://www.thebusinessyear.com/kazakhstan-2017/global-coverage/vip-interview",),
        "TBY Talks to Hou Tao, General Director of Huawei Technologies, on the Firm’s "
        "Kazakhstani Portfolio, Promoting E-Commerce, and Future Plans in Central Asia",
    ),
    "41": Expected(
        ("http://tm.mofcom.gov.cn/article/ztdy/200809/20080905798435.shtml",),
        "Tǔkùmàn sītǎn tōngxùn yè fāzhǎn xiànzhuàng jí qiánjǐng fēnxī",
        "An Analysis of the Status Quo and Prospects of Turkmenistan’s Communication Industry",
    ),
    "42": Expected(
        (
            "https://eurasianet.org/central-asia-are-chinese-telecoms-acting-as-the-ears-for-central-asian-authoritarians",
        ),
        "Central Asia: Are Chinese Telecoms Acting as the Ears for Central Asian Authoritarians?",
    ),
    "43": Expected((), "Chinese Economic Presence in Kazakhstan", accessed=None),
    "44": Expected((), "Beijing in Quandary Over Trade Links with Taliban", accessed=None),
    # A full repeat of note 41 with its own URL: not a short form.
    "45": Expected(
        ("http://tm.mofcom.gov.cn/article/ztdy/200809/20080905798435.shtml",),
        "Tǔkùmàn sītǎn tōngxùn yè fāzhǎn xiànzhuàng jí qiánjǐng fēnxī",
        "An Analysis of the Status Quo and Prospects of Turkmenistan’s Communication Industry",
    ),
    "46": Expected(
        (
            "https://gs.statcounter.com/vendor-market-share/mobile/kyrgyzstan/#monthly-201501-202102",
        ),
        "Mobile Vendor Market Share Kyrgyzstan",
    ),
    "47": Expected(("https://gs.statcounter.com/",), None),
    "48": Expected(
        ("http://www.dostor.com/p/35334.html",),
        "Lìzú quán jiāng, fúshè zhòng yà, kèlāmǎyī shì zhèngfǔ liánmèi huáwèi gòng zhù lǜsè "
        "zhī “yún”",
        "Based in Xinjiang, Radiating Central Asia, Karamay City Government and Huawei Jointly "
        "Build a Green “Cloud”",
    ),
    "49": Expected(
        ("https://www.zte.com.cn/global/about/news/20210415e1.html",),
        "ZTE Teams Up with Beeline to Deploy Uzbekistan’s Largest Virtualized SDM Platform",
    ),
    "50": Expected(
        ("https://thediplomat.com/2019/08/smart-cities-or-surveillance-huawei-in-central-asia/",),
        "Smart Cities or Surveillance? Huawei in Central Asia",
    ),
    "51": Expected(
        ("http://xjeieacwa.com/content?catid=2&id=5447",),
        "“Dàolù qiān wàn tiáo ānquán dì yī tiáo” zhōng yà gèguó “ānquán chéngshì” xiàngmù láile!",
        "“Ten Thousand Roads, the First with Safety”: The “Safe Cities” Project in Central Asian "
        "Countries is Here!",
    ),
    # The note first mentions ‘Seeds for the Future’; the cited page is the second title.
    "52": Expected(
        (
            "https://www.huawei.com/en/events/huawei-central-asia-innovation-day-2017/day-of-innovation-in-centrala-asia-hw",
        ),
        "Huawei Central Asia Innovation Day: Build Digital Silk Road Through Innovation, "
        "Openness and Win-win",
    ),
    "53": Expected(
        ("http://industry.people.com.cn/n1/2018/0608/c413883-30046542.html",),
        "Shàng hé guójiā 8000 wàn yònghù kào ālǐ zhìfù pǔjīng wéi zhōngguó diàn shāng shù qǐ dà "
        "mǔzhǐ",
        "80 Million Users in Shanghai Cooperation Countries Rely on Alibaba to Get Rich, Putin "
        "Gives Thumbs Up to Chinese E-Commerce",
    ),
    "54": Expected(
        ("http://www.mofcom.gov.cn/article/i/jyjl/e/201910/20191002903221.shtml",),
        "Ālǐ bābā jítuán zài èluósī chénglì hézī gōngsī",
        "Alibaba Group Establishes a Joint Venture Company in Russia",
    ),
    "55": Expected(
        ("http://eng.sectsco.org/news/20190829/571024.html",),
        "SCO Secretary-General Vladimir Norov, Alibaba Group CEO Jack Ma Discuss Intra-SCO IT "
        "Cooperation",
    ),
    "56": Expected(
        ("http://uzdaily.com/en/post/65951",),
        "Uzbek Exporters Learn E-Commerce Skills from Chinese Experts",
    ),
    "57": Expected(
        ("http://www.osce-academy.net/upload/file/PB_63.pdf",),
        "Comparative Analysis of Digital Development in Central Asian Countries",
        inherits="39",
    ),
    "58": Expected(
        ("http://industry.people.com.cn/n1/2018/0608/c413883-30046542.html",),
        "Shàng hé guójiā 8000 wàn yònghù kào ālǐ zhìfù pǔjīng wéi zhōngguó diàn shāng shù qǐ dà "
        "mǔzhǐ",
        "80 Million Users in Shanghai Cooperation Countries Rely on Alibaba to Get Rich, Putin "
        "Gives Thumbs Up to Chinese E-Commerce",
        inherits="53",
    ),
    "59": Expected(
        ("http://eng.sectsco.org/news/20190829/571024.html",),
        "SCO Secretary-General Vladimir Norov, Alibaba Group CEO Jack Ma Discuss Intra-SCO IT "
        "Cooperation",
        inherits="55",
    ),
    "60": Expected(("http://eng.sectsco.org/",), None),
    "61": Expected(
        ("http://www.xinhuanet.com/english/2020-12/11/c_139580339.htm",),
        "Technology Transfer Center Opens in China",
    ),
    "62": Expected(
        ("http://www.qdcaijing.com/jypd/dst/chengshi/p/188822.html",),
        "Zǒng tóuzī 567 yì yuán! Shàng hé zǔzhī dìfāng jīngmào hézuò shìfàn qū zhòngdiǎn "
        "xiàngmù jízhōng kāigōng",
        "The Total Investment is 56.7 Billion Yuan! The Key Projects of the Shanghai Cooperation "
        "Organisation Local Economic and Trade Cooperation Demonstration Zone Started "
        "Construction",
    ),
    "63": Expected(
        ("http://finance.eastmoney.com/a/202106111959593288.html",),
        "Zhōngguó-jí’ěrjísī sītǎn jījí tàntǎo jiànlì liǎng guó diànzǐ shāngwù píngtái wùliú "
        "zhōngxīn",
        "China-Kyrgyzstan Actively Explores the Establishment of a Logistics Center for "
        "E-Commerce Platforms in the Two Countries",
    ),
    "64": Expected(
        ("https://news.cgtn.com/news/3d3d514d3467444f77457a6333566d54/index.html",),
        "Lianyungang Port Links Kazakhstan with Pacific",
    ),
    "65": Expected(
        ("https://www.uzdaily.uz/en/post/36935",),
        "Huawei to Launch Scientific-Educational Project HAINA in Uzbekistan",
    ),
    "66": Expected(
        (
            "https://astanatimes.com/2017/05/huawei-academy-opens-in-almaty-to-support-local-ict-education/",
        ),
        "Huawei Academy Opens in Almaty to Support Local ICT Education",
    ),
    "67": Expected(
        (
            "https://www.kt.kz/rus/society/huawei_v_ramkah_programmy_haina_obuchila_poryadka_400_1377897303.html",
        ),
        "Huawei v ramkakh programmy HAINA obuchila poryadka 400 studentov v 2019 godu",
        "Huawei Trained About 400 Students under the HAINA Program in 2019",
    ),
    "68": Expected(
        (
            "https://www.huawei.com/cn/sustainability/win-win-development/social-contribution/seeds-for-the-future/tajikistan",
        ),
        "Tǎjíkè sītǎn",
        "Tajikistan",
    ),
    "69": Expected(
        (
            "https://www.huawei.com/cn/sustainability/win-win-development/social-contribution/seeds-for-the-future/turkmenistan",
            "https://www.huawei.com/cn/sustainability/win-win-development/social-contribution/seeds-for-the-future/uzbekistan",
        ),
        "Tǔkùmàn sītǎn",
        "Turkmenistan",
        url_titles=("Tǔkùmàn sītǎn", "Wūzībiékè sītǎn"),
    ),
    "70": Expected(
        ("http://world.people.com.cn/n1/2017/1115/c1002-29648654.html",),
        "Huá wéi zhōng yà chuàngxīn rì huódòng zài hāsàkè sītǎn jǔxíng",
        "Huawei Central Asia Innovation Day Held in Kazakhstan",
    ),
    "71": Expected(
        ("http://tm.mofcom.gov.cn/article/ztdy/200809/20080905798435.shtml",), None, inherits="41"
    ),
    "72": Expected(
        ("http://eng.sectsco.org/news/20200514/647237.html",),
        "With SCO Support, the Alibaba Group Hosted a Workshop on Countering the Spread of the "
        "Novel Coronavirus Infection",
    ),
    "73": Expected(
        ("http://eng.sectsco.org/news/20200411/642503.html",),
        "President of the Weidong Group Visits SCO Secretariat",
    ),
    "74": Expected(
        (
            "https://www.centralasiaprogram.org/wp-content/uploads/2020/06/Beijing-Binds-COVID-19-and-the-China-Central-Asia-RelationshipCAP232.pdf",
        ),
        "Beijing Binds: COVID-19 and the China-Central Asia Relationship",
    ),
    "75": Expected(
        ("http://www.xinhuanet.com/english/asiapacific/2020-04/25/c_139007696_2.htm",),
        "China-Uzbekistan Telemedicine System Put into Operation",
    ),
    # Written <<http://...>: the stray bracket is repaired.
    "76": Expected(
        ("http://uzdaily.com/en/post/60623",),
        "Chinese Platform Alibaba Simplifies Registration for Uzbekistan Merchants",
    ),
    # The closing quote is missing in the original.
    "77": Expected(
        (
            "https://www.centralasiaprogram.org/wp-content/uploads/2020/06/Beijing-Binds-COVID-19-and-the-China-Central-Asia-RelationshipCAP232.pdf",
        ),
        "Beijing Binds: COVID-19 and the China-Central Asia Relationship",
        inherits="74",
    ),
    "78": Expected(
        (),
        "Glava gosudarstva provel soveshchaniye po realizatsii Gosudarstvennoy programmy "
        "«Tsifrovoy Kazakhstan»",
        "The Head of State Held a Meeting on the Implementation of the State Program “Digital "
        "Kazakhstan”",
        accessed=None,
    ),
    "79": Expected(
        (),
        "Tokayev poruchil perenyat’ u Kitaya opyt tsifrovizatsii grazhdan",
        "Tokayev Instructed to Adopt the Experience of Digitalisation of Citizens from China",
        accessed=None,
    ),
    "80": Expected(
        (),
        "Prezident: Bez tsifrovoy ekonomiki net budushchego u ekonomiki strany",
        "President: The Country’s Economy Has No Future Without the Digital Economy",
        accessed=None,
    ),
    "81": Expected(
        (),
        "Prezident posetil Tsentr innovatsiy kompanii «Huawei»",
        "The President Visited the Huawei Innovation Center",
        accessed=None,
    ),
    "82": Expected(
        (),
        "Ant’s Record IPO Suspended in Shanghai and Hong Kong Stock Exchanges",
        accessed=None,
    ),
    "83": Expected(
        (
            "https://www.caixinglobal.com/2018-03-01/investigation-casts-shadow-on-rising-oil-star-101215272.html",
        ),
        "In Depth: Investigation Casts Shadow on Rosneft’s China Investor CEFC",
    ),
    "84": Expected((), "The Rise and Fall of A Belt and Road Billionaire", accessed=None),
    "85": Expected(
        (
            "https://asia.nikkei.com/Spotlight/Cryptocurrencies/Kazakhstan-s-crypto-mining-boom-fizzles-over-power-supply-strain",
        ),
        "Kazakhstan’s Crypto Mining Boom Fizzles Over Power Supply Strain",
    ),
    "86": Expected(
        ("http://uzdaily.com/en/post/64650",),
        "Rostec to Take Part in the Project of the First “Smart City” in Uzbekistan",
    ),
    "87": Expected(("http://finance.yahoo.com",), None),
    "88": Expected(
        (
            "https://asia.nikkei.com/Business/Telecommunication/India-s-Reliance-Jio-takes-center-stage-in-nation-s-first-5G-auction",
        ),
        "India’s Reliance Jio Takes Center Stage in Nation’s First 5G Auction",
    ),
    "89": Expected(
        (),
        "Firms in India Downplay Chinese Links Amid Wave of Anti-China Sentiment",
        accessed=None,
    ),
}

# Read off the table above, and stated again so that a change to either shows.
NO_URL = {"20", "21", "34", "37", "43", "44", "78", "79", "80", "81", "82", "84", "89"}
TWO_URLS = {"24", "69"}
THREE_URLS = {"38"}
SHORT_FORMS = {"26": "25", "57": "39", "58": "53", "59": "55", "71": "41", "77": "74"}
