<?xml version='1.0' encoding='utf-8'?>
<TS version="2.1" language="en_US" sourcelanguage="tr_TR">
    <context>
        <name>BasketForm</name>
        <message>
            <location filename="../../loyalty_desktop/ui/basket.py" line="38" />
            <source>Sepet tutarı  0,00</source>
            <translation>Basket total  0.00</translation>
        </message>
        <message>
            <location filename="../../loyalty_desktop/ui/basket.py" line="50" />
            <source>Yeni müşteri (Esc)</source>
            <translation>Next customer (Esc)</translation>
        </message>
        <message>
            <location filename="../../loyalty_desktop/ui/basket.py" line="51" />
            <source>Onayla (Enter)</source>
            <translation>Confirm (Enter)</translation>
        </message>
        <message>
            <location filename="../../loyalty_desktop/ui/basket.py" line="58" />
            <source>Son satışı geri al</source>
            <translation>Undo last sale</translation>
        </message>
        <message>
            <location filename="../../loyalty_desktop/ui/basket.py" line="83" />
            <source>En çok</source>
            <translation>Max</translation>
        </message>
        <message>
            <location filename="../../loyalty_desktop/ui/basket.py" line="86" />
            <source>Puan kullan</source>
            <translation>Use points</translation>
        </message>
        <message>
            <location filename="../../loyalty_desktop/ui/basket.py" line="93" />
            <source>Cüzdandan öde</source>
            <translation>Pay from wallet</translation>
        </message>
        <message>
            <location filename="../../loyalty_desktop/ui/basket.py" line="97" />
            <source>Kupon kodu (okutun veya yazın)</source>
            <translation>Coupon code (scan or type)</translation>
        </message>
        <message>
            <location filename="../../loyalty_desktop/ui/basket.py" line="98" />
            <source>Kupon</source>
            <translation>Coupon</translation>
        </message>
        <message>
            <location filename="../../loyalty_desktop/ui/basket.py" line="105" />
            <source>En çok {0}</source>
            <translation>Max {0}</translation>
        </message>
        <message>
            <location filename="../../loyalty_desktop/ui/basket.py" line="110" />
            <source>Tutar: {0}</source>
            <translation>Total: {0}</translation>
        </message>
        <message>
            <location filename="../../loyalty_desktop/ui/basket.py" line="112" />
            <source>Kulüp indirimi: −{0}</source>
            <translation>Club discount: −{0}</translation>
        </message>
        <message>
            <location filename="../../loyalty_desktop/ui/basket.py" line="114" />
            <source>Kupon: −{0}</source>
            <translation>Coupon: −{0}</translation>
        </message>
        <message>
            <location filename="../../loyalty_desktop/ui/basket.py" line="116" />
            <source>Puan ({0}): −{1}</source>
            <translation>Points ({0}): −{1}</translation>
        </message>
        <message>
            <location filename="../../loyalty_desktop/ui/basket.py" line="119" />
            <source>Cüzdan: −{0}</source>
            <translation>Wallet: −{0}</translation>
        </message>
        <message>
            <location filename="../../loyalty_desktop/ui/basket.py" line="122" />
            <source>Kazanılacak: {0}</source>
            <translation>To earn: {0}</translation>
        </message>
        <message>
            <location filename="../../loyalty_desktop/ui/basket.py" line="124" />
            <source>Para iadesi (cüzdana): {0}</source>
            <translation>Cashback (to wallet): {0}</translation>
        </message>
    </context>
    <context>
        <name>CounterScreen</name>
        <message>
            <location filename="../../loyalty_desktop/ui/counter.py" line="117" />
            <source>Önce üyenin kartını okutun, sonra kuponu.</source>
            <translation>Scan the member's card first, then the coupon.</translation>
        </message>
        <message>
            <location filename="../../loyalty_desktop/ui/counter.py" line="62" />
            <source>Kamera</source>
            <translation>Camera</translation>
        </message>
        <message>
            <location filename="../../loyalty_desktop/ui/counter.py" line="203" />
            <source>Ödenecek: {0}</source>
            <translation>To pay: {0}</translation>
        </message>
        <message>
            <location filename="../../loyalty_desktop/ui/counter.py" line="218" />
            <source>Önce sepet tutarını girin.</source>
            <translation>Enter the basket total first.</translation>
        </message>
        <message>
            <location filename="../../loyalty_desktop/ui/counter.py" line="234" />
            <source>Son satış: {0} ödendi, {1} kazanıldı.</source>
            <translation>Last sale: {0} paid, {1} earned.</translation>
        </message>
        <message>
            <location filename="../../loyalty_desktop/ui/counter.py" line="247" />
            <source>Son satışı geri al</source>
            <translation>Undo last sale</translation>
        </message>
        <message>
            <location filename="../../loyalty_desktop/ui/counter.py" line="248" />
            <source>{0} tutarındaki son satış tamamen iade edilecek. Emin misiniz?</source>
            <translation>The last sale of {0} will be refunded in full. Are you sure?</translation>
        </message>
        <message>
            <location filename="../../loyalty_desktop/ui/counter.py" line="258" />
            <source>Son satış geri alındı: {0} iade.</source>
            <translation>Last sale undone: {0} refunded.</translation>
        </message>
    </context>
    <context>
        <name>CounterSearch</name>
        <message>
            <location filename="../../loyalty_desktop/ui/counter_search.py" line="37" />
            <source>Kart no, telefon veya ad yazıp Enter</source>
            <translation>Card no., phone or name, then Enter</translation>
        </message>
    </context>
    <context>
        <name>CustomerDisplay</name>
        <message>
            <location filename="../../loyalty_desktop/ui/customer_display.py" line="26" />
            <source>Müşteri ekranı</source>
            <translation>Customer display</translation>
        </message>
        <message>
            <location filename="../../loyalty_desktop/ui/customer_display.py" line="32" />
            <location filename="../../loyalty_desktop/ui/customer_display.py" line="88" />
            <source>Hoş geldiniz!</source>
            <translation>Welcome!</translation>
        </message>
        <message>
            <location filename="../../loyalty_desktop/ui/customer_display.py" line="40" />
            <source>Bizi bir arkadaşınıza önerme olasılığınız nedir? (0-10)</source>
            <translation>How likely are you to recommend us to a friend? (0-10)</translation>
        </message>
        <message>
            <location filename="../../loyalty_desktop/ui/customer_display.py" line="52" />
            <source>Bugünkü hizmetten ne kadar memnun kaldınız? (1-5)</source>
            <translation>How satisfied were you with our service today? (1-5)</translation>
        </message>
        <message>
            <location filename="../../loyalty_desktop/ui/customer_display.py" line="91" />
            <source>Merhaba {0}!</source>
            <translation>Hello {0}!</translation>
        </message>
        <message>
            <location filename="../../loyalty_desktop/ui/customer_display.py" line="102" />
            <source>Teşekkür ederiz!</source>
            <translation>Thank you!</translation>
        </message>
        <message>
            <location filename="../../loyalty_desktop/ui/customer_display.py" line="109" />
            <source>Puanınız: {0}
Cüzdan: {1}
Seviye: {2}</source>
            <translation>Your points: {0}
Wallet: {1}
Tier: {2}</translation>
        </message>
        <message>
            <location filename="../../loyalty_desktop/ui/customer_display.py" line="113" />
            <source>Cüzdana yolda: {0}</source>
            <translation>On its way to your wallet: {0}</translation>
        </message>
        <message>
            <location filename="../../loyalty_desktop/ui/customer_display.py" line="122" />
            <source>Şimdi lütfen hizmetimizi puanlayın.</source>
            <translation>Now please rate our service.</translation>
        </message>
        <message>
            <location filename="../../loyalty_desktop/ui/customer_display.py" line="137" />
            <source>Üzgünüz. Mağaza müdürümüz sizinle iletişime geçecek.</source>
            <translation>We are sorry. Our store manager will contact you.</translation>
        </message>
        <message>
            <location filename="../../loyalty_desktop/ui/customer_display.py" line="139" />
            <source>Görüşünüz için teşekkürler!</source>
            <translation>Thank you for your feedback!</translation>
        </message>
    </context>
    <context>
        <name>EnrolForm</name>
        <message>
            <location filename="../../loyalty_desktop/ui/enrol.py" line="29" />
            <source>Yeni üye</source>
            <translation>New member</translation>
        </message>
        <message>
            <location filename="../../loyalty_desktop/ui/enrol.py" line="32" />
            <source>Ad soyad</source>
            <translation>Full name</translation>
        </message>
        <message>
            <location filename="../../loyalty_desktop/ui/enrol.py" line="33" />
            <source>Telefon</source>
            <translation>Phone</translation>
        </message>
        <message>
            <location filename="../../loyalty_desktop/ui/enrol.py" line="34" />
            <source>E-posta</source>
            <translation>E-mail</translation>
        </message>
        <message>
            <location filename="../../loyalty_desktop/ui/enrol.py" line="35" />
            <source>Doğum günü</source>
            <translation>Birthday</translation>
        </message>
        <message>
            <location filename="../../loyalty_desktop/ui/enrol.py" line="36" />
            <source>Öneren üyenin kart no</source>
            <translation>Referrer's card no</translation>
        </message>
        <message>
            <location filename="../../loyalty_desktop/ui/enrol.py" line="44" />
            <source>Kampanya izni (KVKK): Üye, seçilen kanallardan kampanya ve bilgilendirme mesajı almayı kabul eder; izni her zaman geri alabilir. Metin sürümü: {0}</source>
            <translation>Marketing consent (KVKK/GDPR): the member agrees to receive offers and news through the chosen channels and may withdraw at any time. Wording version: {0}</translation>
        </message>
        <message>
            <location filename="../../loyalty_desktop/ui/enrol.py" line="49" />
            <source>{0} ile kampanya mesajı almayı kabul ediyor</source>
            <translation>Agrees to receive offers by {0}</translation>
        </message>
        <message>
            <location filename="../../loyalty_desktop/ui/enrol.py" line="54" />
            <source>Üyeyi kaydet</source>
            <translation>Save member</translation>
        </message>
    </context>
    <context>
        <name>FirstRunWizard</name>
        <message>
            <location filename="../../loyalty_desktop/ui/wizard.py" line="28" />
            <source>İlk kurulum</source>
            <translation>First-run set-up</translation>
        </message>
        <message>
            <location filename="../../loyalty_desktop/ui/wizard.py" line="30" />
            <source>Hoş geldiniz! Dükkânınızı kuralım.</source>
            <translation>Welcome! Let's set up your shop.</translation>
        </message>
        <message>
            <location filename="../../loyalty_desktop/ui/wizard.py" line="51" />
            <source>Dükkân adı</source>
            <translation>Shop name</translation>
        </message>
        <message>
            <location filename="../../loyalty_desktop/ui/wizard.py" line="52" />
            <source>Dil</source>
            <translation>Language</translation>
        </message>
        <message>
            <location filename="../../loyalty_desktop/ui/wizard.py" line="53" />
            <source>Saat dilimi</source>
            <translation>Time zone</translation>
        </message>
        <message>
            <location filename="../../loyalty_desktop/ui/wizard.py" line="54" />
            <source>Sahibin adı</source>
            <translation>Owner's name</translation>
        </message>
        <message>
            <location filename="../../loyalty_desktop/ui/wizard.py" line="55" />
            <source>Sahip PIN (4-8 rakam)</source>
            <translation>Owner PIN (4-8 digits)</translation>
        </message>
        <message>
            <location filename="../../loyalty_desktop/ui/wizard.py" line="56" />
            <source>PIN tekrar</source>
            <translation>PIN again</translation>
        </message>
        <message>
            <location filename="../../loyalty_desktop/ui/wizard.py" line="61" />
            <source>Kurulumu bitir</source>
            <translation>Finish set-up</translation>
        </message>
        <message>
            <location filename="../../loyalty_desktop/ui/wizard.py" line="69" />
            <source>İki PIN aynı değil.</source>
            <translation>The two PINs differ.</translation>
        </message>
    </context>
    <context>
        <name>HistoryScreen</name>
        <message>
            <location filename="../../loyalty_desktop/ui/history.py" line="42" />
            <source>Satış geçmişi</source>
            <translation>Sales history</translation>
        </message>
        <message>
            <location filename="../../loyalty_desktop/ui/history.py" line="46" />
            <source>Zaman</source>
            <translation>Time</translation>
        </message>
        <message>
            <location filename="../../loyalty_desktop/ui/history.py" line="46" />
            <source>Tutar</source>
            <translation>Total</translation>
        </message>
        <message>
            <location filename="../../loyalty_desktop/ui/history.py" line="46" />
            <source>Ödenen</source>
            <translation>Paid</translation>
        </message>
        <message>
            <location filename="../../loyalty_desktop/ui/history.py" line="46" />
            <source>Puan</source>
            <translation>Points</translation>
        </message>
        <message>
            <location filename="../../loyalty_desktop/ui/history.py" line="47" />
            <source>İade edilen</source>
            <translation>Refunded</translation>
        </message>
        <message>
            <location filename="../../loyalty_desktop/ui/history.py" line="57" />
            <source>İade tutarı (boş: kalanın tamamı)</source>
            <translation>Refund amount (empty: all that remains)</translation>
        </message>
        <message>
            <location filename="../../loyalty_desktop/ui/history.py" line="58" />
            <source>İadeyi göster</source>
            <translation>Preview refund</translation>
        </message>
        <message>
            <location filename="../../loyalty_desktop/ui/history.py" line="61" />
            <source>İade et (müdür PIN)</source>
            <translation>Refund (manager PIN)</translation>
        </message>
        <message>
            <location filename="../../loyalty_desktop/ui/history.py" line="112" />
            <source>Önce bir satış seçin.</source>
            <translation>Choose a sale first.</translation>
        </message>
        <message>
            <location filename="../../loyalty_desktop/ui/history.py" line="126" />
            <source>İade: {0} (satış {1})</source>
            <translation>Refund: {0} (sale {1})</translation>
        </message>
        <message>
            <location filename="../../loyalty_desktop/ui/history.py" line="128" />
            <source>Müşteriye ödenecek: {0}</source>
            <translation>To give back: {0}</translation>
        </message>
        <message>
            <location filename="../../loyalty_desktop/ui/history.py" line="129" />
            <source>Geri alınacak puan: {0}</source>
            <translation>Points taken back: {0}</translation>
        </message>
        <message>
            <location filename="../../loyalty_desktop/ui/history.py" line="131" />
            <source>Geri verilecek puan: {0}</source>
            <translation>Points given back: {0}</translation>
        </message>
        <message>
            <location filename="../../loyalty_desktop/ui/history.py" line="132" />
            <source>Cüzdana dönecek: {0}</source>
            <translation>Back to wallet: {0}</translation>
        </message>
        <message>
            <location filename="../../loyalty_desktop/ui/history.py" line="133" />
            <source>İptal edilecek para iadesi: {0}</source>
            <translation>Cashback cancelled: {0}</translation>
        </message>
        <message>
            <location filename="../../loyalty_desktop/ui/history.py" line="144" />
            <source>Müdür onayı</source>
            <translation>Manager approval</translation>
        </message>
        <message>
            <location filename="../../loyalty_desktop/ui/history.py" line="156" />
            <source>İade kaydedildi: {0}</source>
            <translation>Refund recorded: {0}</translation>
        </message>
    </context>
    <context>
        <name>LocalSettingsPage</name>
        <message>
            <location filename="../../loyalty_desktop/ui/local_settings.py" line="52" />
            <source>Kaydet (müdür PIN)</source>
            <translation>Save (manager PIN)</translation>
        </message>
        <message>
            <location filename="../../loyalty_desktop/ui/local_settings.py" line="87" />
            <source>Değişiklik yok.</source>
            <translation>Nothing changed.</translation>
        </message>
        <message>
            <location filename="../../loyalty_desktop/ui/local_settings.py" line="89" />
            <source>Müdür onayı</source>
            <translation>Manager approval</translation>
        </message>
        <message>
            <location filename="../../loyalty_desktop/ui/local_settings.py" line="89" />
            <source>Kasa ayarları değişecek.</source>
            <translation>This terminal's settings will change.</translation>
        </message>
        <message>
            <location filename="../../loyalty_desktop/ui/local_settings.py" line="97" />
            <source>Kaydedildi.</source>
            <translation>Saved.</translation>
        </message>
        <message>
            <location filename="../../loyalty_desktop/ui/local_settings.py" line="99" />
            <source>Dil değişikliği program yeniden açılınca geçerli olur.</source>
            <translation>The new language applies when the program is opened again.</translation>
        </message>
    </context>
    <context>
        <name>LoginScreen</name>
        <message>
            <location filename="../../loyalty_desktop/ui/login.py" line="40" />
            <source>Kim çalışıyor?</source>
            <translation>Who is working?</translation>
        </message>
        <message>
            <location filename="../../loyalty_desktop/ui/login.py" line="46" />
            <source>Listeden adınızı seçin</source>
            <translation>Choose your name</translation>
        </message>
        <message>
            <location filename="../../loyalty_desktop/ui/login.py" line="53" />
            <source>PIN</source>
            <translation>PIN</translation>
        </message>
        <message>
            <location filename="../../loyalty_desktop/ui/login.py" line="57" />
            <source>Giriş</source>
            <translation>Log in</translation>
        </message>
        <message>
            <location filename="../../loyalty_desktop/ui/login.py" line="101" />
            <source>Önce listeden adınızı seçin.</source>
            <translation>Choose your name from the list first.</translation>
        </message>
    </context>
    <context>
        <name>MainWindow</name>
        <message>
            <location filename="../../loyalty_desktop/ui/window.py" line="49" />
            <source>Sadakat Kasası</source>
            <translation>Loyalty Counter</translation>
        </message>
        <message>
            <location filename="../../loyalty_desktop/ui/window.py" line="59" />
            <source>Kasa</source>
            <translation>Counter</translation>
        </message>
        <message>
            <location filename="../../loyalty_desktop/ui/window.py" line="60" />
            <source>Satışlar</source>
            <translation>Sales</translation>
        </message>
        <message>
            <location filename="../../loyalty_desktop/ui/window.py" line="61" />
            <source>Üyeler</source>
            <translation>Members</translation>
        </message>
        <message>
            <location filename="../../loyalty_desktop/ui/window.py" line="62" />
            <source>Ayarlar</source>
            <translation>Settings</translation>
        </message>
        <message>
            <location filename="../../loyalty_desktop/ui/window.py" line="65" />
            <source>Raporlar</source>
            <translation>Reports</translation>
        </message>
    </context>
    <context>
        <name>MemberActions</name>
        <message>
            <location filename="../../loyalty_desktop/ui/member_actions.py" line="39" />
            <source>Ad soyad</source>
            <translation>Full name</translation>
        </message>
        <message>
            <location filename="../../loyalty_desktop/ui/member_actions.py" line="39" />
            <source>Telefon</source>
            <translation>Phone</translation>
        </message>
        <message>
            <location filename="../../loyalty_desktop/ui/member_actions.py" line="39" />
            <source>E-posta</source>
            <translation>E-mail</translation>
        </message>
        <message>
            <location filename="../../loyalty_desktop/ui/member_actions.py" line="40" />
            <source>Doğum tarihi (YYYY-AA-GG)</source>
            <translation>Birthday (YYYY-MM-DD)</translation>
        </message>
        <message>
            <location filename="../../loyalty_desktop/ui/member_actions.py" line="75" />
            <location filename="../../loyalty_desktop/ui/member_actions.py" line="76" />
            <location filename="../../loyalty_desktop/ui/member_actions.py" line="77" />
            <source>Puan düzelt</source>
            <translation>Adjust points</translation>
        </message>
        <message>
            <location filename="../../loyalty_desktop/ui/member_actions.py" line="75" />
            <source>Puan (eksi: düş)</source>
            <translation>Points (negative: take away)</translation>
        </message>
        <message>
            <location filename="../../loyalty_desktop/ui/member_actions.py" line="76" />
            <source>Gerekçe</source>
            <translation>Reason</translation>
        </message>
        <message>
            <location filename="../../loyalty_desktop/ui/member_actions.py" line="85" />
            <source>Kulübe katıl</source>
            <translation>Join the club</translation>
        </message>
        <message>
            <location filename="../../loyalty_desktop/ui/member_actions.py" line="85" />
            <source>{0} kulübe katılacak (yıllık ücret kasada alınır). Onaylıyor musunuz?</source>
            <translation>{0} will join the club (the annual fee is taken at the till). Confirm?</translation>
        </message>
        <message>
            <location filename="../../loyalty_desktop/ui/member_actions.py" line="96" />
            <source>Şikâyet</source>
            <translation>Complaint</translation>
        </message>
        <message>
            <location filename="../../loyalty_desktop/ui/member_actions.py" line="96" />
            <source>Şikâyet (kısa)</source>
            <translation>Complaint (short)</translation>
        </message>
        <message>
            <location filename="../../loyalty_desktop/ui/member_actions.py" line="100" />
            <source>Şikâyet kaydedildi.</source>
            <translation>Complaint logged.</translation>
        </message>
        <message>
            <location filename="../../loyalty_desktop/ui/member_actions.py" line="130" />
            <location filename="../../loyalty_desktop/ui/member_actions.py" line="132" />
            <source>Çift kaydı birleştir</source>
            <translation>Merge duplicate</translation>
        </message>
        <message>
            <location filename="../../loyalty_desktop/ui/member_actions.py" line="131" />
            <source>Birleştirilecek üyenin kart no veya telefonu</source>
            <translation>Card no. or phone of the member to merge in</translation>
        </message>
        <message>
            <location filename="../../loyalty_desktop/ui/member_actions.py" line="146" />
            <source>Kart kaydedildi: {0}</source>
            <translation>Card saved: {0}</translation>
        </message>
    </context>
    <context>
        <name>MemberPanel</name>
        <message>
            <location filename="../../loyalty_desktop/ui/member_panel.py" line="26" />
            <location filename="../../loyalty_desktop/ui/member_panel.py" line="67" />
            <source>Kart okutun veya üye arayın</source>
            <translation>Scan a card or find a member</translation>
        </message>
        <message>
            <location filename="../../loyalty_desktop/ui/member_panel.py" line="48" />
            <source>Kullanılabilir kuponlar</source>
            <translation>Coupons usable now</translation>
        </message>
        <message>
            <location filename="../../loyalty_desktop/ui/member_panel.py" line="76" />
            <source>Puan: {0} (= {1})</source>
            <translation>Points: {0} (= {1})</translation>
        </message>
        <message>
            <location filename="../../loyalty_desktop/ui/member_panel.py" line="78" />
            <source>Cüzdan: {0} kullanılabilir, {1} bekliyor</source>
            <translation>Wallet: {0} available, {1} pending</translation>
        </message>
        <message>
            <location filename="../../loyalty_desktop/ui/member_panel.py" line="80" />
            <source>Kulüp üyesi: {0} tarihine kadar</source>
            <translation>Club member until {0}</translation>
        </message>
        <message>
            <location filename="../../loyalty_desktop/ui/member_panel.py" line="81" />
            <source>Kulüp üyesi değil</source>
            <translation>Not a club member</translation>
        </message>
        <message>
            <location filename="../../loyalty_desktop/ui/member_panel.py" line="90" />
            <source>Kupon yok</source>
            <translation>No coupons</translation>
        </message>
        <message>
            <location filename="../../loyalty_desktop/ui/member_panel.py" line="94" />
            <source>KART BLOKE</source>
            <translation>CARD BLOCKED</translation>
        </message>
        <message>
            <location filename="../../loyalty_desktop/ui/member_panel.py" line="101" />
            <source>En üst seviye</source>
            <translation>Top tier</translation>
        </message>
        <message>
            <location filename="../../loyalty_desktop/ui/member_panel.py" line="108" />
            <source>{0} için {1} daha alışveriş</source>
            <translation>{1} more spend for {0}</translation>
        </message>
        <message>
            <location filename="../../loyalty_desktop/ui/member_panel.py" line="117" />
            <source>Yakında silinecek puan: {0}</source>
            <translation>Points expiring soon: {0}</translation>
        </message>
        <message>
            <location filename="../../loyalty_desktop/ui/member_panel.py" line="120" />
            <source>E-posta</source>
            <translation>E-mail</translation>
        </message>
        <message>
            <location filename="../../loyalty_desktop/ui/member_panel.py" line="123" />
            <source>İzinler: {0}</source>
            <translation>Consents: {0}</translation>
        </message>
    </context>
    <context>
        <name>MembersScreen</name>
        <message>
            <location filename="../../loyalty_desktop/ui/members.py" line="28" />
            <source>Dosyayı kaydet</source>
            <translation>Save file</translation>
        </message>
        <message>
            <location filename="../../loyalty_desktop/ui/members.py" line="56" />
            <source>Ad, telefon veya kart no</source>
            <translation>Name, phone or card no</translation>
        </message>
        <message>
            <location filename="../../loyalty_desktop/ui/members.py" line="64" />
            <source>Yeni üye</source>
            <translation>New member</translation>
        </message>
        <message>
            <location filename="../../loyalty_desktop/ui/members.py" line="88" />
            <source>Kasada kullan</source>
            <translation>Use at counter</translation>
        </message>
        <message>
            <location filename="../../loyalty_desktop/ui/members.py" line="89" />
            <location filename="../../loyalty_desktop/ui/members.py" line="184" />
            <source>Kartı bloke et</source>
            <translation>Block card</translation>
        </message>
        <message>
            <location filename="../../loyalty_desktop/ui/members.py" line="90" />
            <location filename="../../loyalty_desktop/ui/members.py" line="190" />
            <source>Yeni kart ver</source>
            <translation>Issue new card</translation>
        </message>
        <message>
            <location filename="../../loyalty_desktop/ui/members.py" line="91" />
            <source>KVKK dışa aktar</source>
            <translation>Export (KVKK)</translation>
        </message>
        <message>
            <location filename="../../loyalty_desktop/ui/members.py" line="92" />
            <location filename="../../loyalty_desktop/ui/members.py" line="209" />
            <location filename="../../loyalty_desktop/ui/members.py" line="214" />
            <source>Verileri sil</source>
            <translation>Erase data</translation>
        </message>
        <message>
            <location filename="../../loyalty_desktop/ui/members.py" line="93" />
            <source>Bilgileri düzenle</source>
            <translation>Edit details</translation>
        </message>
        <message>
            <location filename="../../loyalty_desktop/ui/members.py" line="94" />
            <source>İzinler</source>
            <translation>Consents</translation>
        </message>
        <message>
            <location filename="../../loyalty_desktop/ui/members.py" line="95" />
            <source>Puan düzelt</source>
            <translation>Adjust points</translation>
        </message>
        <message>
            <location filename="../../loyalty_desktop/ui/members.py" line="96" />
            <source>Kulübe katıl</source>
            <translation>Join the club</translation>
        </message>
        <message>
            <location filename="../../loyalty_desktop/ui/members.py" line="97" />
            <source>Şikâyet</source>
            <translation>Complaint</translation>
        </message>
        <message>
            <location filename="../../loyalty_desktop/ui/members.py" line="98" />
            <source>Çift kaydı birleştir</source>
            <translation>Merge duplicate</translation>
        </message>
        <message>
            <location filename="../../loyalty_desktop/ui/members.py" line="99" />
            <source>Kartı yazdır</source>
            <translation>Print card</translation>
        </message>
        <message>
            <location filename="../../loyalty_desktop/ui/members.py" line="134" />
            <source>BLOKE</source>
            <translation>BLOCKED</translation>
        </message>
        <message>
            <location filename="../../loyalty_desktop/ui/members.py" line="153" />
            <source>Kart: {0} (kuşak {1})</source>
            <translation>Card: {0} (generation {1})</translation>
        </message>
        <message>
            <location filename="../../loyalty_desktop/ui/members.py" line="202" />
            <source>Kaydedildi: {0}</source>
            <translation>Saved: {0}</translation>
        </message>
        <message>
            <location filename="../../loyalty_desktop/ui/members.py" line="210" />
            <source>{0} adlı üyenin kişisel verileri kalıcı olarak silinecek. Emin misiniz?</source>
            <translation>{0}'s personal data will be erased for good. Are you sure?</translation>
        </message>
    </context>
    <context>
        <name>PinDialog</name>
        <message>
            <location filename="../../loyalty_desktop/ui/widgets.py" line="85" />
            <source>Vazgeç</source>
            <translation>Cancel</translation>
        </message>
        <message>
            <location filename="../../loyalty_desktop/ui/widgets.py" line="87" />
            <source>Onayla</source>
            <translation>Confirm</translation>
        </message>
    </context>
    <context>
        <name>ReceiptPrinter</name>
        <message>
            <location filename="../../loyalty_desktop/ui/receipts.py" line="33" />
            <source>Fiş yazdırılamadı: {0}</source>
            <translation>Receipt not printed: {0}</translation>
        </message>
        <message>
            <location filename="../../loyalty_desktop/ui/receipts.py" line="51" />
            <source>Yazıcı: {0}</source>
            <translation>Printer: {0}</translation>
        </message>
        <message>
            <location filename="../../loyalty_desktop/ui/receipts.py" line="52" />
            <source>Yazıcı yok: fişler dosyaya</source>
            <translation>No printer: receipts go to files</translation>
        </message>
        <message>
            <location filename="../../loyalty_desktop/ui/receipts.py" line="85" />
            <source>Fiş dosyaya yazıldı: {0}</source>
            <translation>Receipt written to {0}</translation>
        </message>
        <message>
            <location filename="../../loyalty_desktop/ui/receipts.py" line="87" />
            <source>Fiş yazdırıldı.</source>
            <translation>Receipt printed.</translation>
        </message>
        <message>
            <location filename="../../loyalty_desktop/ui/receipts.py" line="90" />
            <source>Fiş hazırlanamadı: {0}</source>
            <translation>Receipt could not be prepared: {0}</translation>
        </message>
    </context>
    <context>
        <name>ScannerSources</name>
        <message>
            <location filename="../../loyalty_desktop/ui/scanner_sources.py" line="46" />
            <source>Tarayıcı kullanılamıyor: {0}</source>
            <translation>Scanner not available: {0}</translation>
        </message>
        <message>
            <location filename="../../loyalty_desktop/ui/scanner_sources.py" line="87" />
            <source>Kamerayla okut</source>
            <translation>Scan with the camera</translation>
        </message>
        <message>
            <location filename="../../loyalty_desktop/ui/scanner_sources.py" line="90" />
            <source>Kapat</source>
            <translation>Close</translation>
        </message>
    </context>
    <context>
        <name>SettingsScreen</name>
        <message>
            <location filename="../../loyalty_desktop/ui/settings.py" line="37" />
            <source>Bu kasa</source>
            <translation>This terminal</translation>
        </message>
        <message>
            <location filename="../../loyalty_desktop/ui/settings.py" line="38" />
            <source>Program kuralları</source>
            <translation>Program rules</translation>
        </message>
        <message>
            <location filename="../../loyalty_desktop/ui/settings.py" line="39" />
            <source>Yedekler</source>
            <translation>Backups</translation>
        </message>
        <message>
            <location filename="../../loyalty_desktop/ui/settings.py" line="40" />
            <source>İşlem kaydı</source>
            <translation>Audit log</translation>
        </message>
        <message>
            <location filename="../../loyalty_desktop/ui/settings.py" line="51" />
            <source>Doğrula</source>
            <translation>Validate</translation>
        </message>
        <message>
            <location filename="../../loyalty_desktop/ui/settings.py" line="54" />
            <source>Yayınla (sahip PIN)</source>
            <translation>Publish (owner PIN)</translation>
        </message>
        <message>
            <location filename="../../loyalty_desktop/ui/settings.py" line="72" />
            <source>Şimdi yedek al</source>
            <translation>Back up now</translation>
        </message>
        <message>
            <location filename="../../loyalty_desktop/ui/settings.py" line="75" />
            <source>Seçili yedeğe dön</source>
            <translation>Restore selected backup</translation>
        </message>
        <message>
            <location filename="../../loyalty_desktop/ui/settings.py" line="90" />
            <source>Zaman</source>
            <translation>Time</translation>
        </message>
        <message>
            <location filename="../../loyalty_desktop/ui/settings.py" line="90" />
            <source>İşlem</source>
            <translation>Action</translation>
        </message>
        <message>
            <location filename="../../loyalty_desktop/ui/settings.py" line="90" />
            <source>Konu</source>
            <translation>Subject</translation>
        </message>
        <message>
            <location filename="../../loyalty_desktop/ui/settings.py" line="91" />
            <source>Personel</source>
            <translation>Staff</translation>
        </message>
        <message>
            <location filename="../../loyalty_desktop/ui/settings.py" line="91" />
            <source>Ayrıntı</source>
            <translation>Detail</translation>
        </message>
        <message>
            <location filename="../../loyalty_desktop/ui/settings.py" line="106" />
            <source>Yürürlükteki program: sürüm {0}</source>
            <translation>Program in force: version {0}</translation>
        </message>
        <message>
            <location filename="../../loyalty_desktop/ui/settings.py" line="116" />
            <source>Alan {0}: </source>
            <translation>Field {0}: </translation>
        </message>
        <message>
            <location filename="../../loyalty_desktop/ui/settings.py" line="120" />
            <source>Program geçerli.</source>
            <translation>The program is valid.</translation>
        </message>
        <message>
            <location filename="../../loyalty_desktop/ui/settings.py" line="127" />
            <source>Sahip onayı</source>
            <translation>Owner approval</translation>
        </message>
        <message>
            <location filename="../../loyalty_desktop/ui/settings.py" line="127" />
            <source>Yeni program yayınlanacak.</source>
            <translation>A new program will be published.</translation>
        </message>
        <message>
            <location filename="../../loyalty_desktop/ui/settings.py" line="147" />
            <source>Yedek alındı: {0}</source>
            <translation>Backup written: {0}</translation>
        </message>
        <message>
            <location filename="../../loyalty_desktop/ui/settings.py" line="154" />
            <source>Önce bir yedek seçin.</source>
            <translation>Choose a backup first.</translation>
        </message>
        <message>
            <location filename="../../loyalty_desktop/ui/settings.py" line="156" />
            <source>Yedeğe dön</source>
            <translation>Restore backup</translation>
        </message>
        <message>
            <location filename="../../loyalty_desktop/ui/settings.py" line="157" />
            <source>Veriler {0} yedeğindeki hâline dönecek; sonraki kayıtlar bu kasada kaybolur. Emin misiniz?</source>
            <translation>The data goes back to backup {0}; later records on this terminal are lost. Are you sure?</translation>
        </message>
    </context>
    <context>
        <name>StatusLine</name>
        <message>
            <location filename="../../loyalty_desktop/ui/status.py" line="57" />
            <source>Kilitle</source>
            <translation>Lock</translation>
        </message>
        <message>
            <location filename="../../loyalty_desktop/ui/status.py" line="70" />
            <source>Kilitli</source>
            <translation>Locked</translation>
        </message>
        <message>
            <location filename="../../loyalty_desktop/ui/status.py" line="88" />
            <source>Yedek alınıyor…</source>
            <translation>Backing up…</translation>
        </message>
        <message>
            <location filename="../../loyalty_desktop/ui/status.py" line="90" />
            <source>Yedek alınamadı</source>
            <translation>Backup failed</translation>
        </message>
        <message>
            <location filename="../../loyalty_desktop/ui/status.py" line="92" />
            <source>Yedek: 1 saatten yeni</source>
            <translation>Backup: under an hour old</translation>
        </message>
        <message>
            <location filename="../../loyalty_desktop/ui/status.py" line="94" />
            <source>Yedek: {0} saat önce</source>
            <translation>Backup: {0} h ago</translation>
        </message>
        <message>
            <location filename="../../loyalty_desktop/ui/status.py" line="96" />
            <source>Sunucu yok (tek başına)</source>
            <translation>No server (standalone)</translation>
        </message>
        <message>
            <location filename="../../loyalty_desktop/ui/status.py" line="98" />
            <source>Sunucu: son eşitleme {0}</source>
            <translation>Server: last sync {0}</translation>
        </message>
        <message>
            <location filename="../../loyalty_desktop/ui/status.py" line="101" />
            <source>Sunucu: henüz eşitlenmedi</source>
            <translation>Server: not synced yet</translation>
        </message>
        <message>
            <source>Sunucu: eşitleniyor…</source>
            <translation>Server: syncing…</translation>
        </message>
        <message>
            <source>Çevrimdışı: {0} olay bekliyor</source>
            <translation>Offline: {0} events waiting</translation>
        </message>
        <message>
            <source>Çevrimiçi: son eşitleme {0}</source>
            <translation>Online: last sync {0}</translation>
        </message>
    </context>
    <context>
        <name>main</name>
        <message>
            <location filename="../../loyalty_desktop/ui/main.py" line="53" />
            <source>Açılamadı</source>
            <translation>Cannot open</translation>
        </message>
        <message>
            <location filename="../../loyalty_desktop/ui/main.py" line="60" />
            <source>Veritabanı hasarlı</source>
            <translation>Database damaged</translation>
        </message>
        <message>
            <location filename="../../loyalty_desktop/ui/main.py" line="61" />
            <source>Veritabanı hasarlı. En yeni sağlam yedek: {0}
Bu yedeğe dönülsün mü?</source>
            <translation>The database is damaged. Newest good backup: {0}
Restore it?</translation>
        </message>
    </context>
    <context>
        <name>SerialScanner</name>
        <message>
            <source>Seri port {port} bulunamadı. Tarayıcının takılı olduğunu ve port adını kontrol edin.</source>
            <translation>Serial port {port} was not found. Check that the scanner is plugged in and the port name is right.</translation>
        </message>
        <message>
            <source>Seri port {port} kullanımda ya da erişim izni yok. Portu kullanan başka bir programı kapatın.</source>
            <translation>Serial port {port} is in use or access is not allowed. Close any other program using the port.</translation>
        </message>
        <message>
            <source>Seri port {port} açılamadı: {detail}</source>
            <translation>Serial port {port} could not be opened: {detail}</translation>
        </message>
        <message>
            <source>Seri tarayıcı bağlantısı kesildi ({port}: {detail}). Kabloyu kontrol edip tarayıcıyı yeniden başlatın.</source>
            <translation>The serial scanner was disconnected ({port}: {detail}). Check the cable and start the scanner again.</translation>
        </message>
        <message>
            <source>Tarayıcıdan gelen satır çok uzun ({length} karakter, en çok {limit}); okuma yok sayıldı.</source>
            <translation>The scanner sent a line that is too long ({length} characters, at most {limit}); the read was ignored.</translation>
        </message>
    </context>
    <context>
        <name>CameraScanner</name>
        <message>
            <source>Kamera bulunamadı. Bir kamera takın ya da kartı tarayıcıyla okutun.</source>
            <translation>No camera found. Plug in a camera or scan the card with the scanner.</translation>
        </message>
        <message>
            <source>Kamera çalışmıyor: {detail}. Kamerayı kontrol edin ya da kartı tarayıcıyla okutun.</source>
            <translation>The camera is not working: {detail}. Check the camera or scan the card with the scanner.</translation>
        </message>
        <message>
            <source>Kartın karekodunu kameraya gösterin</source>
            <translation>Show the card's QR code to the camera</translation>
        </message>
        <message>
            <source>Kart okundu. Sonraki kartı gösterebilirsiniz.</source>
            <translation>Card read. You can show the next card.</translation>
        </message>
    </context>
    <context>
        <name>ReportsScreen</name>
        <message>
            <source>Alışveriş yapan üye</source>
            <translation>Members who bought</translation>
        </message>
        <message>
            <source>Aylık sadakat raporu</source>
            <translation>Monthly loyalty report</translation>
        </message>
        <message>
            <source>FARK: %s</source>
            <translation>DIFFERENCE: %s</translation>
        </message>
        <message>
            <source>Gönderildi.</source>
            <translation>Sent.</translation>
        </message>
        <message>
            <source>NPS</source>
            <translation>NPS</translation>
        </message>
        <message>
            <source>Ortalama CLV</source>
            <translation>Average CLV</translation>
        </message>
        <message>
            <source>Ortalama sepet</source>
            <translation>Average basket</translation>
        </message>
        <message>
            <source>PDF kaydet</source>
            <translation>Save PDF</translation>
        </message>
        <message>
            <source>Puan mutabakatı</source>
            <translation>Points tie-out</translation>
        </message>
        <message>
            <source>Puan yükümlülüğü</source>
            <translation>Points liability</translation>
        </message>
        <message>
            <source>Rapor hazırlanıyor…</source>
            <translation>Preparing the report…</translation>
        </message>
        <message>
            <source>Raporu hazırla</source>
            <translation>Prepare the report</translation>
        </message>
        <message>
            <source>Yazdır</source>
            <translation>Print</translation>
        </message>
        <message>
            <source>tutuyor</source>
            <translation>ties out</translation>
        </message>
        <message>
            <source>Üye cirosu</source>
            <translation>Member revenue</translation>
        </message>
        <message>
            <source>Yeni üye</source>
            <translation>New members</translation>
        </message>
    </context>
</TS>
