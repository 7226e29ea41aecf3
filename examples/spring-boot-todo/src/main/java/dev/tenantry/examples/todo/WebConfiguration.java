package dev.tenantry.examples.todo;

import org.springframework.context.annotation.Configuration;
import org.springframework.web.servlet.config.annotation.InterceptorRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

/** Visitor sessions on the tenant's own pages. */
@Configuration(proxyBeanMethods = false)
public class WebConfiguration implements WebMvcConfigurer {

    private final VisitorSessions visitorSessions;

    public WebConfiguration(VisitorSessions visitorSessions) {
        this.visitorSessions = visitorSessions;
    }

    @Override
    public void addInterceptors(InterceptorRegistry registry) {
        registry.addInterceptor(visitorSessions).addPathPatterns("/todos/**", "/users/**");
    }
}
