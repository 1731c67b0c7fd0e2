<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="pt_BR">
<context>
    <name>SettingsDialog</name>
    <message>
        <location filename="../../desktop/settings_dialog.py" line="+60"/>
        <source>Settings</source>
        <translation>Configurações</translation>
    </message>
    <message>
        <location line="+86"/>
        <source>Models</source>
        <translation>Modelos</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Models &amp;folder:</source>
        <translation>&amp;Pasta dos modelos:</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Where Lanterna keeps downloaded and imported models. Leave empty to use the default folder.</source>
        <translation>Onde o Lanterna guarda os modelos baixados e importados. Deixe em branco para usar a pasta padrão.</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Default: {folder}</source>
        <translation>Padrão: {folder}</translation>
    </message>
    <message>
        <location line="+2"/>
        <location line="+112"/>
        <source>Browse…</source>
        <translation>Procurar…</translation>
    </message>
    <message>
        <location line="-111"/>
        <location line="+243"/>
        <source>Choose the models folder</source>
        <translation>Escolher a pasta dos modelos</translation>
    </message>
    <message>
        <location line="-237"/>
        <source>CPU &amp;threads:</source>
        <translation>T&amp;hreads da CPU:</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Automatic</source>
        <translation>Automático</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>How many processor threads run the model. Automatic picks a number that suits this computer.</source>
        <translation>Quantas threads do processador executam o modelo. Automático escolhe um número adequado a este computador.</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Conte&amp;xt length:</source>
        <translation>Tamanho do conte&amp;xto:</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>How much text the model can take into account at once: the conversation and any attached documents. Longer contexts need more memory.</source>
        <translation>Quanto texto o modelo consegue levar em conta de uma vez: a conversa e os documentos anexados. Contextos maiores precisam de mais memória.</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Reasoning</source>
        <translation>Raciocínio</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Reasoning &amp;display:</source>
        <translation>&amp;Exibição do raciocínio:</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>What you see of the model&apos;s thinking before it answers.</source>
        <translation>O que você vê do raciocínio do modelo antes da resposta.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Hidden</source>
        <translation>Oculto</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Filtered</source>
        <translation>Filtrado</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Summary</source>
        <translation>Resumo</translation>
    </message>
    <message>
        <location line="+17"/>
        <source>&amp;Word lists</source>
        <translation>&amp;Listas de palavras</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Withholds sentences that word lists and a small classifier place in a harmful category, such as violence or self-harm.</source>
        <translation>Retém frases que as listas de palavras e um pequeno classificador colocam em uma categoria nociva, como violência ou automutilação.</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>&amp;Personal data</source>
        <translation>Dados pe&amp;ssoais</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Replaces e-mail addresses, phone numbers, card numbers and similar personal data with a placeholder.</source>
        <translation>Substitui endereços de e-mail, números de telefone, números de cartão e dados pessoais semelhantes por um marcador.</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>&amp;Guard model</source>
        <translation>Modelo &amp;guardião</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>A classifier model checks what the other filters let through. Slower, and needs a guard model file.</source>
        <translation>Um modelo classificador verifica o que os outros filtros deixaram passar. É mais lento e precisa de um arquivo de modelo guardião.</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>Filters:</source>
        <translation>Filtros:</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Applied to the reasoning before any of it is shown.</source>
        <translation>Aplicados ao raciocínio antes que qualquer parte dele seja exibida.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Guard model f&amp;ile:</source>
        <translation>Arq&amp;uivo do guardião:</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>The guard model, a .gguf file. Used only when Guard model is ticked.</source>
        <translation>O modelo guardião, um arquivo .gguf. Usado apenas quando Modelo guardião está marcado.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>No guard model chosen</source>
        <translation>Nenhum modelo guardião escolhido</translation>
    </message>
    <message>
        <location line="+2"/>
        <location line="+139"/>
        <source>Choose the guard model file</source>
        <translation>Escolher o arquivo do modelo guardião</translation>
    </message>
    <message>
        <location line="-129"/>
        <source>Appearance</source>
        <translation>Aparência</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>T&amp;heme:</source>
        <translation>&amp;Tema:</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Light or dark colours. System follows your operating system.</source>
        <translation>Cores claras ou escuras. Sistema acompanha o seu sistema operacional.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>System</source>
        <translation>Sistema</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Light</source>
        <translation>Claro</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Dark</source>
        <translation>Escuro</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>&amp;Language:</source>
        <translation>&amp;Idioma:</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>The language of Lanterna&apos;s windows. System default follows your computer.</source>
        <translation>O idioma das janelas do Lanterna. Padrão do sistema acompanha o seu computador.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>System default</source>
        <translation>Padrão do sistema</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>A new language applies the next time Lanterna starts.</source>
        <translation>Um novo idioma passa a valer na próxima vez que o Lanterna for aberto.</translation>
    </message>
    <message>
        <location line="+25"/>
        <source>Automatic ({size} tokens)</source>
        <translation>Automático ({size} tokens)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>{size} tokens</source>
        <translation>{size} tokens</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>The reasoning, sentence by sentence, once the filters below have removed harmful or personal content.</source>
        <translation>O raciocínio, frase por frase, depois que os filtros abaixo removem conteúdo nocivo ou pessoal.</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>A short summary the model writes after answering, filtered too.</source>
        <translation>Um breve resumo que o modelo escreve depois de responder, também filtrado.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Only how long the model thought and how many tokens it used.</source>
        <translation>Apenas quanto tempo o modelo pensou e quantos tokens usou.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Raw reasoning is never shown.</source>
        <translation>O raciocínio bruto nunca é exibido.</translation>
    </message>
    <message>
        <location line="+66"/>
        <source>GGUF models (*.gguf)</source>
        <translation>Modelos GGUF (*.gguf)</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>All files (*)</source>
        <translation>Todos os arquivos (*)</translation>
    </message>
</context>
</TS>
